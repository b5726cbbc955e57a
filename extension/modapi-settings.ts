import * as vscode from 'vscode';
import { readDefaultModel, readSettings, userOnlyGetter, type ModapiSettings, type SettingGetter } from './settings.js';

/** The one place the extension reads `modapi.*`: user-only settings come from the user's settings
 * (or their defaults), never from a workspace or folder. */
const modapiSettings = (): SettingGetter => userOnlyGetter(vscode.workspace.getConfiguration('modapi'));

export const readModapiSettings = (): ModapiSettings => readSettings(modapiSettings());

export const readModapiDefaultModel = (): string => readDefaultModel(modapiSettings());
