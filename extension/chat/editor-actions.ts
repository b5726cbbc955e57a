import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Attachment } from './protocol.js';

const MAX_FILE_CHARACTERS = 400_000;
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const AUDIO_TYPES: Record<string, string> = { mp3: 'audio/mpeg', mpeg: 'audio/mpeg', mpga: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav', webm: 'audio/webm', ogg: 'audio/ogg', flac: 'audio/flac' };

/** The editor the user last worked in: focusing the chat view must not lose it. */
export class EditorTracker implements vscode.Disposable {
  private last: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
    if (editor) this.last = editor;
  });

  get editor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    return this.last && vscode.window.visibleTextEditors.includes(this.last) ? this.last : vscode.window.visibleTextEditors[0];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

const displayName = (document: vscode.TextDocument): string => (document.isUntitled ? document.fileName : vscode.workspace.asRelativePath(document.uri));

export const selectionAttachment = (tracker: EditorTracker): Attachment | string => {
  const editor = tracker.editor;
  if (!editor || editor.selection.isEmpty) return 'Select some code in an editor first.';
  const { start, end } = editor.selection;
  return {
    kind: 'selection',
    name: `${displayName(editor.document)}:${start.line + 1}-${end.line + 1}`,
    language: editor.document.languageId,
    text: editor.document.getText(editor.selection).slice(0, MAX_FILE_CHARACTERS),
  };
};

export const fileAttachment = (tracker: EditorTracker): Attachment | string => {
  const editor = tracker.editor;
  if (!editor) return 'Open a file in an editor first.';
  return { kind: 'file', name: displayName(editor.document), language: editor.document.languageId, text: editor.document.getText().slice(0, MAX_FILE_CHARACTERS) };
};

/** An image or an audio file picked from disk, read as the protocol carries it. */
export const pickedAttachment = async (kind: 'image' | 'audio'): Promise<Attachment | string | undefined> => {
  const types = kind === 'image' ? IMAGE_TYPES : AUDIO_TYPES;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: kind === 'image' ? 'Attach image' : 'Attach audio',
    filters: { [kind === 'image' ? 'Images' : 'Audio']: Object.keys(types) },
  });
  const uri = picked?.[0];
  if (!uri) return undefined;
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.byteLength > MAX_UPLOAD_BYTES) return `That file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`;
  const name = path.basename(uri.path);
  const mimeType = types[path.extname(name).slice(1).toLowerCase()];
  if (!mimeType) return 'That file type is not supported.';
  const base64 = Buffer.from(bytes).toString('base64');
  return kind === 'image' ? { kind: 'image', name, dataUrl: `data:${mimeType};base64,${base64}` } : { kind: 'audio', name, mimeType, base64 };
};

export const insertAtCursor = async (tracker: EditorTracker, code: string): Promise<string | undefined> => {
  const editor = tracker.editor;
  if (!editor) return 'Open an editor to insert the code into.';
  await editor.edit((edit) => {
    for (const selection of editor.selections) edit.replace(selection, code);
  });
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  return undefined;
};

export const openInNewFile = async (code: string, language: string): Promise<void> => {
  const known = await vscode.languages.getLanguages();
  const document = await vscode.workspace.openTextDocument({ content: code, language: known.includes(language) ? language : undefined });
  await vscode.window.showTextDocument(document, { preview: false });
};

/** Saves generated media where the user says, the workspace folder offered first. */
export const saveMedia = async (bytes: Uint8Array, suggestedName: string): Promise<vscode.Uri | undefined> => {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : undefined, saveLabel: 'Save to workspace' });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, bytes);
  return target;
};
