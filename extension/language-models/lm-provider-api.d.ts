/** The part of VS Code's language model provider API (1.104 and later) that ModAPI uses. The
 * extension compiles against @types/vscode 1.100 (`engines.vscode` is ^1.100 and vsce refuses newer
 * types), so these are declared here and the registration function is looked up at run time. */
import type * as vscode from 'vscode';

export interface LanguageModelChatCapabilities {
  readonly imageInput?: boolean;
  readonly toolCalling?: boolean | number;
}

export interface LanguageModelChatInformation {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly version: string;
  readonly maxInputTokens: number;
  readonly maxOutputTokens: number;
  readonly tooltip?: string;
  readonly detail?: string;
  readonly capabilities: LanguageModelChatCapabilities;
  /** Not in the 1.104 typings, but VS Code 1.120 hides provider models that do not set it. */
  readonly isUserSelectable?: boolean;
}

/** `LanguageModelChatMessageRole` plus the system role (3) the chat sends but the enum omits. */
export type LanguageModelChatRole = vscode.LanguageModelChatMessageRole | 3;

export interface LanguageModelChatRequestMessage {
  readonly role: LanguageModelChatRole;
  readonly content: ReadonlyArray<unknown>;
  readonly name: string | undefined;
}

export interface ProvideLanguageModelChatResponseOptions {
  readonly modelOptions?: { readonly [name: string]: unknown };
  readonly tools?: readonly vscode.LanguageModelChatTool[];
  readonly toolMode: vscode.LanguageModelChatToolMode;
}

export interface PrepareLanguageModelChatModelOptions {
  readonly silent: boolean;
}

export type LanguageModelResponsePart = vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart;

export interface LanguageModelChatProvider<T extends LanguageModelChatInformation = LanguageModelChatInformation> {
  readonly onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
  provideLanguageModelChatInformation(options: PrepareLanguageModelChatModelOptions, token: vscode.CancellationToken): vscode.ProviderResult<T[]>;
  provideLanguageModelChatResponse(model: T, messages: readonly LanguageModelChatRequestMessage[], options: ProvideLanguageModelChatResponseOptions, progress: vscode.Progress<LanguageModelResponsePart>, token: vscode.CancellationToken): Thenable<void>;
  provideTokenCount(model: T, text: string | LanguageModelChatRequestMessage, token: vscode.CancellationToken): Thenable<number>;
}

/** `vscode.lm` from 1.104 on; absent members mean an older VS Code (or a fork without them). */
export interface LanguageModelProviderNamespace {
  registerLanguageModelChatProvider?: (vendor: string, provider: LanguageModelChatProvider) => vscode.Disposable;
}
