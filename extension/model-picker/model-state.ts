import * as vscode from 'vscode';
import { readModapiDefaultModel } from '../modapi-settings.js';
import { pushRecent, toggleFavourite } from './picker-items.js';

const CURRENT = 'modapi.currentModel';
const RECENT = 'modapi.recentModels';
const FAVOURITES = 'modapi.favouriteModels';

/** The chosen model, recently used and favourite models, kept in globalState (not secret). */
export class ModelState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  /** The chosen model, else `modapi.defaultModel`, else nothing yet. */
  get current(): string | undefined {
    return this.state.get<string>(CURRENT) || readModapiDefaultModel() || undefined;
  }

  get recent(): string[] {
    return this.state.get<string[]>(RECENT) ?? [];
  }

  get favourites(): string[] {
    return this.state.get<string[]>(FAVOURITES) ?? [];
  }

  async choose(id: string): Promise<void> {
    await this.state.update(CURRENT, id);
    await this.state.update(RECENT, pushRecent(this.recent, id));
    this.changed.fire(id);
  }

  async toggleFavourite(id: string): Promise<void> {
    await this.state.update(FAVOURITES, toggleFavourite(this.favourites, id));
    // The chat view's chooser lists favourites too.
    this.changed.fire(this.current);
  }

  /** When `modapi.defaultModel` changes and nothing was picked, the status bar follows it. */
  notifyDefaultChanged(): void {
    this.changed.fire(this.current);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
