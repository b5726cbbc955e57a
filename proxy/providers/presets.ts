import type { Dialect } from './types.js';

/** An OpenAI-like host is a small config, not new code. */
export interface ProviderPreset {
  id: string;
  dialect: Dialect;
  defaultBaseUrl: string;
  keyVariable?: string;
  baseUrlVariable: string;
  keyOptional?: boolean;
  streamUsageOption?: boolean;
  /** Whether the host serves OpenAI's Responses API itself (`/responses` under its base URL, with
   * its own stored responses). On for OpenAI only: ModAPI and the other hosts here speak chat
   * completions, or serve Responses only in part (stateless, in beta), so `/v1/responses` is
   * translated for them; a provider's config can say otherwise (`responsesApi`). */
  responsesApi?: boolean;
  headers?: Record<string, string>;
}

export const DEFAULT_PROVIDER_ID = 'modapi';

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  { id: 'modapi', dialect: 'openai', defaultBaseUrl: 'https://modapi.ai/v1', keyVariable: 'MODAPI_API_KEY', baseUrlVariable: 'MODAPI_BASE_URL' },
  { id: 'openai', dialect: 'openai', defaultBaseUrl: 'https://api.openai.com/v1', keyVariable: 'OPENAI_API_KEY', baseUrlVariable: 'OPENAI_BASE_URL', responsesApi: true },
  { id: 'openrouter', dialect: 'openai', defaultBaseUrl: 'https://openrouter.ai/api/v1', keyVariable: 'OPENROUTER_API_KEY', baseUrlVariable: 'OPENROUTER_BASE_URL' },
  { id: 'deepseek', dialect: 'openai', defaultBaseUrl: 'https://api.deepseek.com/v1', keyVariable: 'DEEPSEEK_API_KEY', baseUrlVariable: 'DEEPSEEK_BASE_URL' },
  { id: 'xai', dialect: 'openai', defaultBaseUrl: 'https://api.x.ai/v1', keyVariable: 'XAI_API_KEY', baseUrlVariable: 'XAI_BASE_URL' },
  { id: 'groq', dialect: 'openai', defaultBaseUrl: 'https://api.groq.com/openai/v1', keyVariable: 'GROQ_API_KEY', baseUrlVariable: 'GROQ_BASE_URL' },
  { id: 'mistral', dialect: 'openai', defaultBaseUrl: 'https://api.mistral.ai/v1', keyVariable: 'MISTRAL_API_KEY', baseUrlVariable: 'MISTRAL_BASE_URL', streamUsageOption: false },
  { id: 'together', dialect: 'openai', defaultBaseUrl: 'https://api.together.xyz/v1', keyVariable: 'TOGETHER_API_KEY', baseUrlVariable: 'TOGETHER_BASE_URL' },
  { id: 'dashscope', dialect: 'openai', defaultBaseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', keyVariable: 'DASHSCOPE_API_KEY', baseUrlVariable: 'DASHSCOPE_BASE_URL' },
  { id: 'ollama', dialect: 'openai', defaultBaseUrl: 'http://127.0.0.1:11434/v1', baseUrlVariable: 'OLLAMA_BASE_URL', keyOptional: true },
  { id: 'lmstudio', dialect: 'openai', defaultBaseUrl: 'http://127.0.0.1:1234/v1', baseUrlVariable: 'LMSTUDIO_BASE_URL', keyOptional: true },
  { id: 'anthropic', dialect: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com', keyVariable: 'ANTHROPIC_API_KEY', baseUrlVariable: 'ANTHROPIC_BASE_URL' },
  { id: 'gemini', dialect: 'gemini', defaultBaseUrl: 'https://generativelanguage.googleapis.com', keyVariable: 'GEMINI_API_KEY', baseUrlVariable: 'GEMINI_BASE_URL' },
];

