import type { ChatRequest } from '../../adapters/types.js';
import { convertMessages } from './encode-messages.js';
import { convertTools } from './encode-tools.js';
import { convertGenerationConfig, geminiVersion } from './generation-config.js';
import type { GeminiRequest } from './wire-types.js';

export interface ConvertedRequest {
  body: GeminiRequest;
  /** What the client asked for that Gemini cannot do; reported, never fatal. */
  warnings: string[];
}

/** An OpenAI chat body as a Gemini generateContent body (the same for the streaming method). */
export const convertChatRequest = (request: ChatRequest, model: string): ConvertedRequest => {
  const messages = convertMessages(request.messages ?? [], { requireSignatures: geminiVersion(model) >= 3 });
  const tools = convertTools(request);
  const generation = convertGenerationConfig(request, model);
  const body: GeminiRequest = {
    contents: messages.contents,
    ...(messages.systemInstruction ? { systemInstruction: messages.systemInstruction } : {}),
    ...(tools.tools ? { tools: tools.tools } : {}),
    ...(tools.toolConfig ? { toolConfig: tools.toolConfig } : {}),
    ...(Object.keys(generation.generationConfig).length > 0 ? { generationConfig: generation.generationConfig } : {}),
  };
  return { body, warnings: [...messages.warnings, ...tools.warnings, ...generation.warnings] };
};
