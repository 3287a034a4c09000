// @clickstream/faults — the fault-injection suite's parts: the embedded stack with killable
// components, a steady load that records what ingest acknowledged, and the audit by event_id.
export { COMPONENTS, FaultStack, S3RVER_CHILD_SCRIPT, type ComponentName, type FaultStackOptions, type UnplannedExit } from './fault-stack';
export { SteadyLoad, type Ack, type PhaseLoadStats, type SteadyLoadOptions } from './steady-load';
export { PipelineAudit, describeDrain, drained, type Audit, type AuditOptions, type DrainState } from './pipeline-audit';
export { FAULTS, runPhase, selectFaults, type Fault, type PhaseContext } from './fault-phase';
export { RECOVERY_DEFINITION, countPhase, failed, formatMatrix, type FaultRow } from './fault-matrix';
