import * as vscode from 'vscode';
import { Redactor, type Logger } from '../proxy/logger.js';

/** The "ModAPI" LogOutputChannel behind the proxy's Logger interface. Every line goes through the
 * Redactor, which knows the stored key and tokens, so none of them reaches the channel. */
export class ExtensionLog implements Logger, vscode.Disposable {
  readonly redactor = new Redactor();
  private readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('ModAPI', { log: true });
  }

  info(message: string): void {
    this.channel.info(this.redactor.redact(message));
  }

  warn(message: string): void {
    this.channel.warn(this.redactor.redact(message));
  }

  error(message: string): void {
    this.channel.error(this.redactor.redact(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
