// One run of an OpenAI Agents SDK agent with one function tool, as a user's script points it at the
// gateway: OPENAI_BASE_URL (read by the SDK's openai client), the local token as the default key,
// tracing off (else the SDK exports traces to OpenAI whenever it has a key). The SDK's defaults
// otherwise: OpenAIResponsesModel over HTTP, so every model call is a POST /v1/responses.
// Run by test/tools/agents-sdk.test.ts with this folder's Node 22; prints one JSON line.
import { Agent, run, setDefaultOpenAIKey, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';

const { MODAPI_TOKEN, AGENT_MODEL, AGENT_TOOL, AGENT_ARGUMENT, AGENT_STREAM } = process.env;
if (!MODAPI_TOKEN || !AGENT_MODEL || !AGENT_TOOL || !AGENT_ARGUMENT) throw new Error('run-agent.mjs needs MODAPI_TOKEN, AGENT_MODEL, AGENT_TOOL and AGENT_ARGUMENT');

setTracingDisabled(true);
setDefaultOpenAIKey(MODAPI_TOKEN);

/** What the tool was called with, in order. */
const calls = [];
const weather = tool({
  name: AGENT_TOOL,
  description: 'The weather now in a place.',
  parameters: z.object({ [AGENT_ARGUMENT]: z.string() }),
  execute: async (input) => {
    calls.push(input);
    return `Sunny and 21 degrees in ${input[AGENT_ARGUMENT]}.`;
  },
});

const agent = new Agent({ name: 'Weather agent', instructions: 'Answer questions about the weather with the weather tool.', model: AGENT_MODEL, tools: [weather] });
const question = 'What is the weather like?';

let streamedText = null;
let result;
if (AGENT_STREAM === '1') {
  result = await run(agent, question, { stream: true });
  streamedText = '';
  for await (const text of result.toTextStream()) streamedText += text;
  await result.completed;
} else {
  result = await run(agent, question);
}

const output = {
  finalOutput: result.finalOutput,
  streamedText,
  calls,
  items: result.newItems.map((item) => item.type),
  responses: result.rawResponses.map((response) => ({ id: response.responseId, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens })),
};
process.stdout.write(`${JSON.stringify(output)}\n`);
