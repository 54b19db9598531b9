export { chatResponse, createChatBackend, standInCompletion, standInStream } from './chat.mjs';
export { decisionDebugHeaders } from './debug-headers.mjs';
export { exampleEndpoints } from './endpoints.mjs';
export { chatModel, predictModel } from './models.mjs';
export { exampleShieldOptions } from './options.mjs';
