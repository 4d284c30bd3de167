// Demo traffic for a new install: realistic RAG and gateway traffic with incidents to look at.
export { startDemo, type DemoDeps, type DemoOptions, type DemoRun } from './runner.js';
export { configureDemoProject, demoProject, DEMO_ALERT_CONFIG, type DemoSetupDeps } from './setup.js';
export { ragTrace, history, conditionsAt, seededRng, SCENARIO, LIVE_SECONDS, BASELINE, MODELS, type Conditions, type Rng } from './generate.js';
export { CORPUS, CHAT_PROMPTS, type DemoCase } from './corpus.js';
