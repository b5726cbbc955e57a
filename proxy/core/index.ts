/** The gateway core as the chat view uses it: in-process, no HTTP, same adapters and ledger. */
export { runChat, CHAT_ENDPOINT } from './run-chat.js';
export { generateImage, type GeneratedImages } from './generate-image.js';
export { synthesizeSpeech, type SpeechRequest, type SpeechAudio } from './speech.js';
export { transcribeAudio, type TranscriptionRequest, type Transcription } from './transcribe.js';
export { generateVideo, type VideoRequest, type VideoJob, type VideoResult, type VideoOptions } from './video.js';
export type { InProcessOptions } from '../pipeline/begin-call.js';
