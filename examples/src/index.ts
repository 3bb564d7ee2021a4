/**
 * `@overlap/examples`: example agents for Overlap, the catalog that runs them, and the local HTTP
 * upstream their tools call.
 *
 * @packageDocumentation
 */
export { examples, findExample } from './catalog.js';
export type {
  Example,
  ExampleEnvironment,
  ExampleParameter,
  ExampleParameterName,
  ExampleRun,
  ExampleRunResult,
} from './Example.js';
export { ExampleParameterError, isExampleParameterError } from './ExampleParameterError.js';
export { defineExample } from './defineExample.js';
export type { ExampleDefinition } from './defineExample.js';
export { ExampleSession } from './ExampleSession.js';
export type { ExampleRunOptions } from './ExampleSession.js';
export { resolveParameters } from './resolveParameters.js';

export { createUpstream } from './upstream/createUpstream.js';
export type { Upstream } from './upstream/createUpstream.js';
export { resolveUpstreamOptions } from './upstream/UpstreamOptions.js';
export { UPSTREAM_PROFILES, isUpstreamProfile, upstreamProfile } from './upstream/upstreamProfiles.js';
export type { UpstreamProfile } from './upstream/upstreamProfiles.js';
export type { ResolvedUpstreamOptions, UpstreamOptions } from './upstream/UpstreamOptions.js';
export { DEFAULT_ENDPOINTS } from './upstream/EndpointOptions.js';
export type { EndpointOptions, EndpointRateLimit, EndpointTokenRateLimit, ResolvedEndpointOptions } from './upstream/EndpointOptions.js';
export { ENDPOINT_NAMES, isEndpointName } from './upstream/EndpointName.js';
export type { EndpointName } from './upstream/EndpointName.js';
export { isScheduled } from './upstream/FaultSchedule.js';
export type { FaultSchedule } from './upstream/FaultSchedule.js';
export { EndpointBehaviour } from './upstream/EndpointBehaviour.js';
export type { RequestPlan } from './upstream/EndpointBehaviour.js';
export { UpstreamStats } from './upstream/UpstreamStats.js';
export type { EndpointStats } from './upstream/UpstreamStats.js';
export type { TokenAdmission, WindowState } from './upstream/EndpointBehaviour.js';
export { seededRandom, streamSeed } from './upstream/seededRandom.js';
export { createOpenAiApi } from './upstream/openai/createOpenAiApi.js';
export type { OpenAiApiContext, OpenAiApiHandler } from './upstream/openai/createOpenAiApi.js';
export { OPENAI_MODELS, modelEndpoint } from './upstream/openai/openAiModels.js';
export { validateChatRequest } from './upstream/openai/validateChatRequest.js';
export { validateResponsesRequest } from './upstream/openai/validateResponsesRequest.js';
export { chatCompletionFormat } from './upstream/openai/chatCompletionFormat.js';
export type { AnswerFormat } from './upstream/openai/chatCompletionFormat.js';
export { responsesFormat } from './upstream/openai/responsesFormat.js';
export type { ChatRequestCheck, ParsedChatRequest, ParsedMessage, ParsedTool, ParsedToolCall } from './upstream/openai/validateChatRequest.js';
export { scriptChatAnswer, TOOL_CALLS_PER_ANSWER } from './upstream/openai/scriptChatAnswer.js';
export type { ScriptedAnswer } from './upstream/openai/scriptChatAnswer.js';

export { requestJson } from './tools/requestJson.js';
export type { RequestJsonOptions } from './tools/requestJson.js';
export type { ToolSettings } from './tools/ToolSettings.js';
export { weatherTool } from './tools/weatherTool.js';
export type { Weather } from './tools/weatherTool.js';
export { userStatusTool } from './tools/userStatusTool.js';
export type { UserStatus } from './tools/userStatusTool.js';
export { orderTool } from './tools/orderTool.js';
export type { Order } from './tools/orderTool.js';
export { kbSearchTool } from './tools/kbSearchTool.js';
export type { KbResult } from './tools/kbSearchTool.js';
export { faqTool } from './tools/faqTool.js';
export type { FaqResult } from './tools/faqTool.js';
export { vectorStoreTool } from './tools/vectorStoreTool.js';
export type { VectorMatches } from './tools/vectorStoreTool.js';
export { ticketsDbTool } from './tools/ticketsDbTool.js';
export type { TicketRows } from './tools/ticketsDbTool.js';
export { courseMaterialsTool } from './tools/courseMaterialsTool.js';
export type { CourseMaterials } from './tools/courseMaterialsTool.js';
export { userProfileTool } from './tools/userProfileTool.js';
export type { UserProfile } from './tools/userProfileTool.js';
export { templateTool } from './tools/templateTool.js';
export type { Template } from './tools/templateTool.js';
export { upstreamModel } from './tools/upstreamModel.js';
export type { UpstreamModelSettings, UpstreamModelSize } from './tools/upstreamModel.js';
export { upstreamErrorFromOpenAi } from './tools/upstreamErrorFromOpenAi.js';

export { supportAgent, supportExample } from './agents/support.js';
export type { SupportQuestion, SupportTools } from './agents/support.js';
export { kbAgent, knowledgeBaseExample } from './agents/knowledgeBase.js';
export type { KbMode, KbQuestion, KbTools } from './agents/knowledgeBase.js';
export { coursewareAgent, coursewareExample } from './agents/courseware.js';
export type { CoursewareTools, LessonRequest } from './agents/courseware.js';
export { fallbackAgent, hedgeAgent, modelFallbackExample } from './agents/modelFallback.js';
export type { FallbackModels, Prompt } from './agents/modelFallback.js';
export { flakyRetrievalExample, retrievalAgent } from './agents/flakyRetrieval.js';
export type { RetrievalQuestion, RetrievalTools } from './agents/flakyRetrieval.js';
export { burstAgent, burstExample } from './agents/burst.js';
export type { BurstInput, BurstOutput } from './agents/burst.js';
export { MAX_TURNS, agentLoopAgent, agentLoopExample } from './agents/agentLoop.js';
export type { LoopAnswer, LoopQuestion, LoopTools } from './agents/agentLoop.js';
