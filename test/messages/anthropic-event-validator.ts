import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';

/** One event of an Anthropic stream as it came over the wire. */
export interface WireEvent {
  name: string | undefined;
  data: any;
}

/** Splits an SSE body into events (eventsource-parser does the framing). */
export const parseSse = (text: string): WireEvent[] => {
  const events: WireEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push({ name: event.event, data: JSON.parse(event.data) }) });
  parser.feed(text);
  parser.feed('\n\n');
  return events;
};

const DELTAS_BY_BLOCK: Record<string, string[]> = {
  text: ['text_delta', 'citations_delta'],
  thinking: ['thinking_delta', 'signature_delta'],
  tool_use: ['input_json_delta'],
  server_tool_use: ['input_json_delta'],
};

const STOP_REASONS = new Set(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal']);

/** A strict check that a stream is what Anthropic's API sends: every event named by an `event:`
 * line equal to its type; message_start first; blocks opened one at a time with indexes 0, 1, 2...;
 * deltas only inside the open block and of its kind; message_delta after the last block closed;
 * message_stop last. Returns the block types in order. */
export const assertValidAnthropicStream = (events: WireEvent[]): string[] => {
  assert.ok(events.length >= 3, 'a stream has at least message_start, message_delta and message_stop');
  const blocks: string[] = [];
  let open: { index: number; type: string } | undefined;
  let sawMessageDelta = false;
  events.forEach((event, position) => {
    const type = event.data?.type;
    assert.equal(event.name, type, `event ${position}: the event: line names its type`);
    if (position === 0) {
      assert.equal(type, 'message_start', 'the first event is message_start');
      const message = event.data.message;
      assert.match(message.id, /^msg_/);
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
      assert.deepEqual(message.content, []);
      assert.equal(typeof message.model, 'string');
      assert.equal(typeof message.usage.input_tokens, 'number');
      return;
    }
    assert.notEqual(type, 'message_start', `event ${position}: only one message_start`);
    assert.notEqual(type, 'error', `event ${position}: the stream carries an error: ${JSON.stringify(event.data)}`);
    switch (type) {
      case 'ping':
        break;
      case 'content_block_start':
        assert.equal(open, undefined, `event ${position}: a block opens while block ${open?.index} is still open`);
        assert.ok(!sawMessageDelta, `event ${position}: a block opens after message_delta`);
        assert.equal(event.data.index, blocks.length, `event ${position}: block indexes increase by one from 0`);
        open = { index: event.data.index, type: event.data.content_block.type };
        blocks.push(open.type);
        if (open.type === 'tool_use') {
          assert.ok(typeof event.data.content_block.id === 'string' && event.data.content_block.id.length > 0, 'a tool_use block has an id');
          assert.ok(typeof event.data.content_block.name === 'string' && event.data.content_block.name.length > 0, 'a tool_use block has a name');
          assert.deepEqual(event.data.content_block.input, {});
        }
        break;
      case 'content_block_delta': {
        assert.ok(open, `event ${position}: a delta outside any open block`);
        assert.equal(event.data.index, open.index, `event ${position}: a delta for block ${event.data.index} while block ${open.index} is open`);
        const allowed = DELTAS_BY_BLOCK[open.type];
        if (allowed) assert.ok(allowed.includes(event.data.delta.type), `event ${position}: a ${event.data.delta.type} inside a ${open.type} block`);
        break;
      }
      case 'content_block_stop':
        assert.ok(open, `event ${position}: content_block_stop with no open block`);
        assert.equal(event.data.index, open.index, `event ${position}: content_block_stop closes the open block`);
        open = undefined;
        break;
      case 'message_delta':
        assert.equal(open, undefined, `event ${position}: message_delta while a block is open`);
        assert.ok(!sawMessageDelta, `event ${position}: a second message_delta`);
        sawMessageDelta = true;
        assert.ok(STOP_REASONS.has(event.data.delta.stop_reason), `event ${position}: stop_reason ${event.data.delta.stop_reason}`);
        assert.equal(typeof event.data.usage.output_tokens, 'number');
        break;
      case 'message_stop':
        assert.equal(position, events.length - 1, 'message_stop is the last event');
        assert.ok(sawMessageDelta, 'message_delta comes before message_stop');
        break;
      default:
        assert.fail(`event ${position}: unknown event type ${type}`);
    }
  });
  assert.equal(events.at(-1)?.data.type, 'message_stop', 'the stream ends with message_stop');
  return blocks;
};
