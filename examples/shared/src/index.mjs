export { decisionDebugHeaders } from './debug-headers.mjs';
export { exampleEndpoints } from './endpoints.mjs';
export { chatModel, predictModel } from './models.mjs';
export { exampleShieldOptions } from './options.mjs';
