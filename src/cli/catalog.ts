// `otconform catalog [--component T] [--sl N]`: the requirements in scope for a component type and level.
import { formatCatalogTable, loadCatalog } from '../catalog/index.js';
import type { ComponentType, SecurityLevel } from '../core/outcomes.js';

export function catalogCommand(opts: { component?: ComponentType; sl?: SecurityLevel; json: boolean }): void {
  const catalog = loadCatalog();
  const requirements = catalog.requirements.filter(
    (r) =>
      (opts.component === undefined || r.componentTypes.includes(opts.component)) &&
      (opts.sl === undefined || r.sl.includes(opts.sl)),
  );
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(requirements, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatCatalogTable(requirements));
  const scope = [opts.component ?? 'all component types', opts.sl ? `SL-C ${opts.sl}` : 'all levels'].join(', ');
  process.stdout.write(`\n${requirements.length} of ${catalog.requirements.length} requirements (${scope}); catalog ${catalog.version}\n`);
}
