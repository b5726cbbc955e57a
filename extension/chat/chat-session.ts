import type { GatewayContext } from '../../proxy/server/gateway-context.js';
import type { Logger } from '../../proxy/logger.js';
import type { RatingStore } from '../../proxy/usage/ratings.js';
import { AnswerRatings } from './answer-ratings.js';
import { runAnswer, type AnswerInput } from './answer-runner.js';
import { toChatMessages } from './chat-history.js';
import { newId, titleFrom, type ConversationStore } from './conversation-store.js';
import { modeOf } from './model-mode.js';
import type { AnswerRating, AssistantTurn, Attachment, CompareTurn, Conversation, HostMessage, ModelMode, ModelOption, UserTurn } from './protocol.js';

/** What the session needs from its surroundings (the webview and the extension's services). */
export interface SessionPorts {
  post(message: HostMessage): void;
  gatewayContext(): Promise<GatewayContext>;
  models(): Promise<ModelOption[]>;
  /** Fills in media bytes for the webview. */
  withMedia<T>(value: T): Promise<T>;
  log: Logger;
  /** Why a model may not be used here (`modapi.workspace.allowedModels`), if it may not. */
  refusal?(model: string): string | undefined;
  /** Where ratings go (beside the usage ledger); none while no ledger is connected. */
  ratings?(): RatingStore | undefined;
}

/** One chat view's conversation and the answers running in it. Knows nothing of vscode, so its
 * behaviour (send, stop, regenerate, edit, compare, choose) is tested in Node. */
export class ChatSession {
  conversation: Conversation;
  private readonly running = new Map<string, AbortController>();
  private readonly ratings: AnswerRatings;

  constructor(
    private readonly store: ConversationStore,
    private readonly ports: SessionPorts,
    model: string,
  ) {
    this.conversation = store.create(model);
    this.ratings = new AnswerRatings(() => ports.ratings?.());
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  async send(text: string, attachments: Attachment[], model: string): Promise<void> {
    if (this.refused([model])) return;
    const user: UserTurn = { role: 'user', id: newId('turn'), text, attachments };
    if (this.conversation.turns.length === 0) this.conversation.title = titleFrom(text || attachments[0]?.name || '');
    this.conversation.model = model;
    const answer = this.newAnswer(model, await this.modeFor(model));
    this.conversation.turns.push(user, answer);
    await this.publish();
    await this.run(answer, this.conversation.turns.length - 1);
  }

  async compare(text: string, attachments: Attachment[], models: string[]): Promise<void> {
    if (this.refused(models)) return;
    const user: UserTurn = { role: 'user', id: newId('turn'), text, attachments };
    if (this.conversation.turns.length === 0) this.conversation.title = titleFrom(text);
    const chatModels = [...new Set(models)];
    const compare: CompareTurn = { role: 'compare', id: newId('turn'), answers: chatModels.map((model) => this.newAnswer(model, 'chat')) };
    this.conversation.turns.push(user, compare);
    await this.publish();
    const index = this.conversation.turns.length - 1;
    await Promise.all(compare.answers.map((answer) => this.run(answer, index, false)));
    await this.persist();
  }

  /** Continues the conversation with one of the compared answers (and its model). */
  async choose(turnId: string, answerId: string): Promise<string | undefined> {
    const turn = this.conversation.turns.find((entry) => entry.id === turnId);
    if (turn?.role !== 'compare') return undefined;
    const answer = turn.answers.find((entry) => entry.id === answerId);
    if (!answer) return undefined;
    turn.chosen = answer.id;
    this.conversation.model = answer.model;
    await this.ratings.choice(turn.answers, answer);
    await this.persist();
    await this.publish();
    return answer.model;
  }

  stop(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  /** Asks again for an answer (also the inline "Retry"); later turns are dropped. */
  async regenerate(answerId: string): Promise<void> {
    const located = this.locate(answerId);
    if (!located) return;
    const { index, answer: old } = located;
    if (this.refused([old.model])) return;
    // A retry of a failed answer has no record to mark.
    if (old.status !== 'error') await this.ratings.regenerated(old);
    const turn = this.conversation.turns[index]!;
    const fresh = this.newAnswer(old.model, old.mode);
    if (turn.role === 'compare') {
      turn.answers = turn.answers.map((answer) => (answer.id === old.id ? fresh : answer));
      if (turn.chosen === old.id) turn.chosen = undefined;
    } else this.conversation.turns[index] = fresh;
    this.conversation.turns.splice(index + 1);
    await this.publish();
    await this.run(fresh, index);
  }

  /** Replaces a sent prompt and asks again with the conversation's current model. */
  async edit(turnId: string, text: string, model: string): Promise<void> {
    const index = this.conversation.turns.findIndex((turn) => turn.id === turnId);
    const turn = this.conversation.turns[index];
    if (turn?.role !== 'user' || this.refused([model])) return;
    this.stop();
    turn.text = text;
    this.conversation.model = model;
    const answer = this.newAnswer(model, await this.modeFor(model));
    this.conversation.turns.splice(index + 1, this.conversation.turns.length, answer);
    await this.publish();
    await this.run(answer, index + 1);
  }

  /** Thumbs up or down on an answer, or (null) taken back; kept in the conversation for the view. */
  async rate(answerId: string, rating: AnswerRating | null): Promise<void> {
    const answer = this.locate(answerId)?.answer;
    if (!answer) return;
    if (!(await this.ratings.thumb(answer, rating))) {
      this.ports.post({ type: 'notice', level: 'error', message: 'This answer has no usage record to rate (it never reached the gateway).' });
      return;
    }
    if (rating) answer.rating = rating;
    else delete answer.rating;
    this.ports.post({ type: 'answer-update', conversationId: this.conversation.id, answer: await this.ports.withMedia({ ...answer }) });
    await this.persist();
  }

  async open(id: string): Promise<boolean> {
    const conversation = await this.store.load(id);
    if (!conversation) return false;
    this.stop();
    this.conversation = conversation;
    await this.publish();
    return true;
  }

  async startNew(model: string): Promise<void> {
    this.stop();
    this.conversation = this.store.create(model);
    await this.publish();
  }

  /** Sends the whole conversation and the list to the webview. */
  async publish(): Promise<void> {
    this.ports.post({ type: 'conversation', conversation: await this.ports.withMedia(this.conversation), conversations: await this.store.list() });
  }

  /** Tells the view (and the log) when a model is not allowed here; true if any is refused. */
  private refused(models: readonly string[]): boolean {
    const reason = models.map((model) => this.ports.refusal?.(model)).find((entry) => entry !== undefined);
    if (reason === undefined) return false;
    this.ports.log.warn(`chat view: ${reason}`);
    this.ports.post({ type: 'notice', level: 'error', message: reason });
    return true;
  }

  private newAnswer(model: string, mode: ModelMode): AssistantTurn {
    return { role: 'assistant', id: newId('answer'), model, mode, status: 'streaming', text: '' };
  }

  private async modeFor(model: string): Promise<ModelMode> {
    const option = (await this.ports.models()).find((entry) => entry.id === model);
    return (option && modeOf(option.modalities)) ?? 'chat';
  }

  private locate(answerId: string): { index: number; answer: AssistantTurn } | undefined {
    for (const [index, turn] of this.conversation.turns.entries()) {
      if (turn.role === 'assistant' && turn.id === answerId) return { index, answer: turn };
      const answer = turn.role === 'compare' ? turn.answers.find((entry) => entry.id === answerId) : undefined;
      if (answer) return { index, answer };
    }
    return undefined;
  }

  /** The input for the answer at `index`: the turns before it, and the prompt right before it. */
  private inputFor(index: number): AnswerInput {
    const conversation = this.conversation;
    const user = conversation.turns[index - 1];
    const prompt = user?.role === 'user' ? user : undefined;
    return {
      messages: toChatMessages(conversation, index),
      prompt: prompt?.text ?? '',
      audio: prompt?.attachments.find((attachment): attachment is Extract<Attachment, { kind: 'audio' }> => attachment.kind === 'audio'),
    };
  }

  private async run(answer: AssistantTurn, index: number, persist = true): Promise<void> {
    const conversationId = this.conversation.id;
    const controller = new AbortController();
    this.running.set(answer.id, controller);
    const post = (message: HostMessage): void => {
      if (this.conversation.id === conversationId) this.ports.post(message);
    };
    try {
      const gateway = await this.ports.gatewayContext();
      await runAnswer(gateway, this.store, answer, this.inputFor(index), controller.signal, {
        delta: (text, reasoning) => post({ type: 'answer-delta', conversationId, answerId: answer.id, text, reasoning }),
        changed: () => post({ type: 'answer-update', conversationId, answer: { ...answer } }),
      });
    } catch (error) {
      // The gateway could not be built (settings, storage): shown like any failed answer.
      answer.status = 'error';
      answer.error = { message: (error as Error).message, code: null };
    } finally {
      this.running.delete(answer.id);
    }
    if (answer.status === 'error') this.ports.log.warn(`chat answer from ${answer.model} failed: ${answer.error?.message ?? 'unknown error'}`);
    post({ type: 'answer-update', conversationId, answer: await this.ports.withMedia({ ...answer }) });
    if (persist) await this.persist();
  }

  private async persist(): Promise<void> {
    try {
      await this.store.save(this.conversation);
      this.ports.post({ type: 'conversations', conversations: await this.store.list() });
    } catch (error) {
      this.ports.log.error(`could not save the conversation: ${(error as Error).message}`);
    }
  }
}
