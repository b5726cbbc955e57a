import type { Attachment, ChooserTarget, ModelMode, ModelOption, ModelShortlist } from '../../extension/chat/protocol.js';
import { MAX_COMPARE_MODELS, MODE_LABELS, modeOf } from '../../extension/chat/model-mode.js';
import { button, h } from './dom.js';
import { postToHost, savedDraft, saveDraft } from './host.js';
import { attachmentLabel } from './transcript.js';
import type { ViewState } from './view-state.js';

const PLACEHOLDERS: Record<ModelMode, string> = {
  chat: 'Ask anything (Enter to send, Shift+Enter for a new line, Escape to stop)',
  image: 'Describe the image to generate',
  speech: 'Text to speak',
  transcription: 'Attach an audio file to transcribe, then send',
  video: 'Describe the video to generate',
};

const MODE_ORDER: ModelMode[] = ['chat', 'image', 'speech', 'transcription', 'video'];

const modelOption = (model: ModelOption): HTMLOptionElement => {
  const details = [model.provider, model.price].filter(Boolean).join(' · ');
  return h('option', { attributes: { value: model.id, title: details }, text: model.name === model.id ? model.id : `${model.name} (${model.id})` });
};

const appendGroup = (select: HTMLSelectElement, label: string, group: ModelOption[]): void => {
  if (group.length === 0) return;
  const optgroup = h('optgroup', { attributes: { label } });
  for (const model of group) optgroup.append(modelOption(model));
  select.append(optgroup);
};

/** A model <select>: favourites and recently used models first (as in the palette's picker), then
 * every model grouped by what the view does with it. */
export const modelSelect = (models: ModelOption[], selected: string, label: string, onlyChat: boolean, shortlist: ModelShortlist = { favourites: [], recent: [] }): HTMLSelectElement => {
  const select = h('select', { className: 'model-select', attributes: { 'aria-label': label, title: label } });
  const usable = (model: ModelOption | undefined): model is ModelOption => model !== undefined && (!onlyChat || modeOf(model.modalities) === 'chat');
  const pick = (ids: string[]) => ids.map((id) => models.find((model) => model.id === id)).filter(usable);
  appendGroup(select, 'Favourites', pick(shortlist.favourites));
  appendGroup(select, 'Recently used', pick(shortlist.recent.filter((id) => !shortlist.favourites.includes(id))));
  for (const mode of MODE_ORDER) {
    if (onlyChat && mode !== 'chat') continue;
    appendGroup(select, MODE_LABELS[mode], models.filter((model) => modeOf(model.modalities) === mode));
  }
  if (selected && !models.some((model) => model.id === selected)) select.prepend(h('option', { attributes: { value: selected }, text: selected }));
  select.value = selected;
  return select;
};

export const modeOfModel = (state: ViewState, id: string): ModelMode => {
  const model = state.models.find((entry) => entry.id === id);
  return (model && modeOf(model.modalities)) ?? 'chat';
};

const readAsDataUrl = (file: File): Promise<string> =>
  new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });

/** Images pasted or dropped into the view become vision attachments. */
export const addImageFiles = async (state: ViewState, files: Iterable<File>, rerender: () => void): Promise<void> => {
  for (const file of files) {
    if (!/^image\/(png|jpeg|gif|webp)$/.test(file.type)) continue;
    state.attachments.push({ kind: 'image', name: file.name || 'pasted image', dataUrl: await readAsDataUrl(file) });
  }
  rerender();
};

export interface ComposerHandles {
  element: HTMLElement;
  textarea: HTMLTextAreaElement;
}

/** The prompt box, its attachments, the model chooser, compare controls, Send and Stop. */
export const composerView = (state: ViewState, busy: boolean, rerender: () => void): ComposerHandles => {
  const mode = modeOfModel(state, state.selectedModel);
  const textarea = h('textarea', { className: 'prompt', attributes: { 'aria-label': 'Message', placeholder: PLACEHOLDERS[state.compareMode ? 'chat' : mode], rows: '3' } });
  textarea.value = savedDraft();
  textarea.addEventListener('input', () => saveDraft(textarea.value));
  const send = (): void => {
    const text = textarea.value;
    if (busy || (!text.trim() && state.attachments.length === 0)) return;
    const attachments: Attachment[] = state.attachments.splice(0);
    if (state.compareMode) {
      const models = [...new Set(state.compareModels)].slice(0, MAX_COMPARE_MODELS);
      if (models.length < 2) {
        state.attachments.push(...attachments);
        return;
      }
      postToHost({ type: 'compare', text, attachments, models });
    } else postToHost({ type: 'send', text, attachments, model: state.selectedModel });
    textarea.value = '';
    saveDraft('');
  };
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  textarea.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith('image/'));
    if (files.length === 0) return;
    event.preventDefault();
    void addImageFiles(state, files, rerender);
  });

  const chips = h('ul', { className: 'chips', attributes: { 'aria-label': 'Attachments to send' } });
  state.attachments.forEach((attachment, index) => {
    chips.append(h('li', { className: 'chip' }, h('span', { text: attachmentLabel(attachment) }), button('×', `Remove ${attachmentLabel(attachment)}`, () => {
      state.attachments.splice(index, 1);
      rerender();
    }, 'chip-remove')));
  });

  const chooser = modelSelect(state.models, state.selectedModel, 'Model', false, state.shortlist);
  chooser.addEventListener('change', () => {
    state.selectedModel = chooser.value;
    postToHost({ type: 'select-model', model: chooser.value });
    rerender();
  });
  const search = searchButton('Search every model by name, provider or modality', { kind: 'model' });

  const attach = h('select', { className: 'attach-select', attributes: { 'aria-label': 'Attach context', title: 'Attach context' } },
    h('option', { attributes: { value: '' }, text: 'Attach...' }),
    h('option', { attributes: { value: 'selection' }, text: 'Selection' }),
    h('option', { attributes: { value: 'file' }, text: 'Active file' }),
    h('option', { attributes: { value: 'image' }, text: 'Image file' }),
    h('option', { attributes: { value: 'audio' }, text: 'Audio file' }),
  );
  attach.addEventListener('change', () => {
    const source = attach.value;
    attach.value = '';
    if (source === 'selection' || source === 'file' || source === 'image' || source === 'audio') postToHost({ type: 'request-attachment', source });
  });

  const compareToggle = h('input', { attributes: { type: 'checkbox', id: 'compare-toggle', 'aria-label': 'Compare models' } });
  compareToggle.checked = state.compareMode;
  compareToggle.addEventListener('change', () => {
    state.compareMode = compareToggle.checked;
    if (state.compareMode && state.compareModels.length === 0) state.compareModels = [state.selectedModel, state.models.find((model) => model.id !== state.selectedModel && modeOf(model.modalities) === 'chat')?.id ?? state.selectedModel];
    rerender();
  });

  const compareRow = state.compareMode ? compareControls(state, rerender) : null;
  const actions = h('div', { className: 'composer-actions' },
    state.compareMode ? null : chooser,
    state.compareMode ? null : search,
    attach,
    h('label', { className: 'compare-label', attributes: { for: 'compare-toggle' } }, compareToggle, ' Compare'),
    h('span', { className: 'spacer' }),
    busy ? button('Stop', 'Stop the answer (Escape)', () => postToHost({ type: 'stop' }), 'button stop') : null,
    button(state.compareMode ? 'Compare' : 'Send', state.compareMode ? 'Send to every compared model' : 'Send (Enter)', send, 'button send'),
  );
  const element = h('form', { className: 'composer', attributes: { 'aria-label': 'Compose a message' } }, compareRow, chips, textarea, actions);
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  return { element, textarea };
};

/** Opens the searchable chooser (made for hundreds of models) in the editor's quick pick. */
const searchButton = (label: string, target: ChooserTarget): HTMLButtonElement => button('Search…', label, () => postToHost({ type: 'open-chooser', target }), 'button secondary search-models');

const compareControls = (state: ViewState, rerender: () => void): HTMLElement => {
  const row = h('div', { className: 'compare-models', attributes: { role: 'group', 'aria-label': 'Models to compare' } });
  state.compareModels.forEach((model, index) => {
    const select = modelSelect(state.models, model, `Compared model ${index + 1}`, true, state.shortlist);
    select.addEventListener('change', () => {
      state.compareModels[index] = select.value;
    });
    row.append(h('div', { className: 'compare-slot' }, select, searchButton(`Search every chat model for compared model ${index + 1}`, { kind: 'compare', slot: index }), state.compareModels.length > 2 ? button('×', `Remove compared model ${index + 1}`, () => {
      state.compareModels.splice(index, 1);
      rerender();
    }, 'chip-remove') : null));
  });
  if (state.compareModels.length < MAX_COMPARE_MODELS) {
    row.append(button('+ Model', 'Add a model to compare', () => {
      state.compareModels.push(state.compareModels[0] ?? state.selectedModel);
      rerender();
    }, 'button secondary'));
  }
  return row;
};
