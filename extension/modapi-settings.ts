import * as vscode from 'vscode';
import { readSettings, userOnlyGetter, type ModapiSettings } from './settings.js';

/** The one place the extension reads `modapi.*`: user-only settings come from the user's settings
 * (or their defaults), never from a workspace or folder. */
export const readModapiSettings = (): ModapiSettings => readSettings(userOnlyGetter(vscode.workspace.getConfiguration('modapi')));
