// The process image the simulated PLC exposes: a small tank loop plus a heartbeat.
// It exists so that security checks have something worth protecting: a setpoint an attacker
// could change, and a heartbeat that proves reads return live data.
//
//   Objects/Plant                       ns=1;s=Plant
//     Heartbeat      UInt32   read      ns=1;s=Plant.Heartbeat        (+1 every scan)
//     Tank1                             ns=1;s=Plant.Tank1
//       Level        Double   read      ns=1;s=Plant.Tank1.Level      (moves toward Setpoint)
//       Setpoint     Double   command   ns=1;s=Plant.Tank1.Setpoint   (0..100)
//       InletValve   Double   command   ns=1;s=Plant.Tank1.InletValve (0..100 %)
//       OutletValve  Double   command   ns=1;s=Plant.Tank1.OutletValve(0..100 %)
//       PumpRunning  Boolean  command   ns=1;s=Plant.Tank1.PumpRunning
//
// "command" tags are writable by the roles the preset names; "read" tags are measurements.
//
// The values come from a PlantProcess: by default a tank of our own with its own scan; in one-device mode
// the Modbus PLC simulator's process image, so both protocols show (and command) the same PLC.

import {
  AccessLevelFlag,
  DataType,
  makeRoles,
  PermissionType,
  StatusCodes,
  Variant,
  type AddressSpace,
  type RolePermissionTypeOptions,
  type StatusCode,
} from 'node-opcua';
import type { WellKnownRoleName } from './presets.js';

export const PLANT_NAMESPACE_URI = 'urn:otconform:sim:plant';
export const SCAN_INTERVAL_MS = 100;

export const PLANT_NODE_IDS = {
  heartbeat: 'ns=1;s=Plant.Heartbeat',
  level: 'ns=1;s=Plant.Tank1.Level',
  setpoint: 'ns=1;s=Plant.Tank1.Setpoint',
  inletValve: 'ns=1;s=Plant.Tank1.InletValve',
  outletValve: 'ns=1;s=Plant.Tank1.OutletValve',
  pumpRunning: 'ns=1;s=Plant.Tank1.PumpRunning',
} as const;

export interface PlantAccessPolicy {
  commandWriterRoles: WellKnownRoleName[] | 'everyone';
  processReaderRoles: WellKnownRoleName[] | 'everyone';
}

/**
 * What the Plant nodes show and command. Percentages are 0..100; the OPC UA layer checks ranges and types
 * before it sets anything, so an implementation only stores.
 */
export interface PlantProcess {
  /** UInt32 on the wire; a source with a narrower counter wraps earlier. */
  readonly heartbeat: number;
  readonly level: number;
  setpoint: number;
  inletValve: number;
  outletValve: number;
  pumpRunning: boolean;
}

/** Largest change of Level per scan, so a setpoint change is visible over several reads. */
const MAX_LEVEL_STEP = 0.5;

/** The standalone simulator's own tank, scanned every SCAN_INTERVAL_MS. */
class OwnTank implements PlantProcess {
  heartbeat = 0;
  level = 40;
  setpoint = 50;
  inletValve = 30;
  outletValve = 20;
  pumpRunning = true;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.scan(), SCAN_INTERVAL_MS);
    this.timer.unref(); // the server's sockets keep the process alive, not the simulated plant
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private scan(): void {
    this.heartbeat = (this.heartbeat + 1) >>> 0; // UInt32 wraps
    const error = this.setpoint - this.level;
    this.level += Math.max(-MAX_LEVEL_STEP, Math.min(MAX_LEVEL_STEP, error));
  }
}

export interface RunningPlant {
  /** Stops the own scan timer, if any; the address space itself goes away with the server. */
  stop(): void;
}

/** Adds the Plant nodes; without an external process the plant runs a tank of its own. */
export function buildPlant(addressSpace: AddressSpace, access: PlantAccessPolicy, external?: PlantProcess): RunningPlant {
  const namespace = addressSpace.getNamespace(PLANT_NAMESPACE_URI);
  if (namespace.index !== 1) throw new Error(`plant namespace got index ${namespace.index}, expected 1`);
  let ownTank: OwnTank | undefined;
  const state: PlantProcess = external ?? (ownTank = new OwnTank());

  const readPerms = rolePermissions(access.processReaderRoles, PermissionType.Browse | PermissionType.Read);
  const commandPerms = commandRolePermissions(access);

  const plant = namespace.addFolder(addressSpace.rootFolder.objects, { browseName: 'Plant', nodeId: 's=Plant' });
  const tank = namespace.addObject({ organizedBy: plant, browseName: 'Tank1', nodeId: 's=Plant.Tank1' });

  const measured = (browseName: string, nodeId: string, dataType: DataType, get: () => number) =>
    namespace.addVariable({
      componentOf: browseName === 'Heartbeat' ? plant : tank,
      browseName,
      nodeId: `s=${nodeId}`,
      dataType,
      accessLevel: AccessLevelFlag.CurrentRead,
      userAccessLevel: AccessLevelFlag.CurrentRead,
      ...(readPerms ? { rolePermissions: readPerms } : {}),
      minimumSamplingInterval: SCAN_INTERVAL_MS,
      value: { get: () => new Variant({ dataType, value: get() }) },
    });

  const commandable = (
    browseName: string,
    dataType: DataType,
    get: () => number | boolean,
    set: (v: unknown) => StatusCode,
  ) =>
    namespace.addVariable({
      componentOf: tank,
      browseName,
      nodeId: `s=Plant.Tank1.${browseName}`,
      dataType,
      accessLevel: AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite,
      userAccessLevel: AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite,
      ...(commandPerms ? { rolePermissions: commandPerms } : {}),
      minimumSamplingInterval: SCAN_INTERVAL_MS,
      value: {
        get: () => new Variant({ dataType, value: get() }),
        set: (variant: Variant) => set(variant.value),
      },
    });

  measured('Heartbeat', 'Plant.Heartbeat', DataType.UInt32, () => state.heartbeat);
  measured('Level', 'Plant.Tank1.Level', DataType.Double, () => state.level);
  commandable('Setpoint', DataType.Double, () => state.setpoint, percentSetter((v) => (state.setpoint = v)));
  commandable('InletValve', DataType.Double, () => state.inletValve, percentSetter((v) => (state.inletValve = v)));
  commandable('OutletValve', DataType.Double, () => state.outletValve, percentSetter((v) => (state.outletValve = v)));
  commandable('PumpRunning', DataType.Boolean, () => state.pumpRunning, (v) => {
    if (typeof v !== 'boolean') return StatusCodes.BadTypeMismatch;
    state.pumpRunning = v;
    return StatusCodes.Good;
  });

  return { stop: () => ownTank?.stop() };
}

function percentSetter(apply: (v: number) => void): (v: unknown) => StatusCode {
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return StatusCodes.BadTypeMismatch;
    if (v < 0 || v > 100) return StatusCodes.BadOutOfRange;
    apply(v);
    return StatusCodes.Good;
  };
}

/** 'everyone' leaves RolePermissions unset, which node-opcua treats as "no restriction". */
function rolePermissions(roles: WellKnownRoleName[] | 'everyone', permissions: number): RolePermissionTypeOptions[] | null {
  if (roles === 'everyone') return null;
  return roles.map((role) => ({ roleId: roleNodeId(role), permissions }));
}

function commandRolePermissions(access: PlantAccessPolicy): RolePermissionTypeOptions[] | null {
  if (access.commandWriterRoles === 'everyone') return null; // whoever may write may also read
  const read = PermissionType.Browse | PermissionType.Read;
  const byRole = new Map<WellKnownRoleName, number>();
  if (access.processReaderRoles !== 'everyone') for (const r of access.processReaderRoles) byRole.set(r, read);
  for (const r of access.commandWriterRoles) byRole.set(r, read | PermissionType.Write);
  return [...byRole].map(([role, permissions]) => ({ roleId: roleNodeId(role), permissions }));
}

function roleNodeId(role: WellKnownRoleName) {
  const [nodeId] = makeRoles(role);
  if (!nodeId) throw new Error(`unknown role ${role}`);
  return nodeId;
}
