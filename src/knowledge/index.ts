// Public surface of the knowledge base: cited weakness data plus pure grading functions.
export type {
  CredentialProtocol,
  DefaultCredential,
  Finding,
  Grade,
  Judgement,
  KnowledgeBase,
  KnownGrade,
  ModbusExposure,
  ModbusFunctionCategory,
  ModbusFunctionCodeEntry,
  Verdict,
} from './types.js';
export { CREDENTIAL_PROTOCOLS, ORDERED_GRADES } from './types.js';
export { DEFAULT_DATA_DIR, KnowledgeBaseError, loadKnowledgeBase, loadKnowledgeBaseFrom, normalizeName } from './knowledge-base.js';
export { gradeRank, judgeFindings, meetsMinimum } from './judge.js';
export type { ModbusFunctionCodesData, TlsData, X509Rules } from './schema.js';
export { CertificateParseError, gradeCertificate, parseCertificate } from './x509.js';
export type { CertificateFacts, GradeCertificateOptions } from './x509.js';
