// Test support shared by the packages' and the examples' tests, run from source (no build).
export { CHROMIUM_PATH, launchChromium } from './chromium.js';
