export type { AgentComparison, AgentComparisonRun, AgentDescriptor, AgentParameter, ConnectedRunner, RunnerRegistration } from './AgentDescriptor.js';
export { acceptsAgentParameter, agentParameterRange, resolveAgentParams } from './agentParams.js';
export type { AgentParamProblem, AgentParamsResolution } from './agentParams.js';
export { readAgentDescriptors, readRunnerRegistration } from './readAgentDescriptors.js';
export type { AgentOfferReading } from './readAgentDescriptors.js';
