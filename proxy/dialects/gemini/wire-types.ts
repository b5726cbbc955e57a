/** The parts of Gemini's REST shapes (v1beta) the adapter reads or writes. Unknown fields are
 * tolerated everywhere: the decoder ignores what it does not know. */

export interface GeminiPartialArg {
  jsonPath?: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: unknown;
  willContinue?: boolean;
}

export interface GeminiFunctionCall {
  id?: string;
  name?: string;
  args?: Record<string, unknown>;
  /** Vertex AI's streamed arguments (streamFunctionCallArguments). */
  partialArgs?: GeminiPartialArg[];
  willContinue?: boolean;
}

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
}

export interface GeminiContent {
  role?: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** OpenAPI-style schema (upper-case types); clients still send it. */
  parameters?: unknown;
  parametersJsonSchema?: unknown;
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  candidateCount?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseJsonSchema?: unknown;
  /** The older OpenAPI-style schema of the answer. */
  responseSchema?: unknown;
  responseModalities?: string[];
  thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number; thinkingLevel?: string };
  imageConfig?: { aspectRatio?: string };
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: GeminiPart[] };
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'NONE' | 'ANY'; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

/** A tool as a Gemini client sends it: function declarations, or one of Google's own tools
 * (googleSearch, codeExecution, ...), which only a Gemini upstream can run. */
export interface GeminiClientTool {
  functionDeclarations?: GeminiFunctionDeclaration[];
  [googleTool: string]: unknown;
}

/** What a Gemini client sends to generateContent and streamGenerateContent (the model is in the path). */
export interface GeminiClientRequest {
  contents: { role?: string; parts: GeminiPart[] }[];
  systemInstruction?: { role?: string; parts?: GeminiPart[] } | string;
  tools?: GeminiClientTool[];
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
  safetySettings?: { category?: string; threshold?: string }[];
  cachedContent?: string;
  [extra: string]: unknown;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiCandidate {
  index?: number;
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** An error sent inside an SSE stream instead of an HTTP status. */
  error?: { code?: number; message?: string; status?: string };
}
