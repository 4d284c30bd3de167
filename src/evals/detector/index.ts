// Local faithfulness / hallucination detector: no LLM, no network, no model weights beyond params.json.
export {
  detectFaithfulness,
  DETECTOR_VERSION,
  DEFAULT_THRESHOLD,
  DEFAULT_PARAMS,
  validateParams,
  type ClaimVerdict,
  type DetectorInput,
  type DetectorParams,
  type DetectorResult,
} from './model.js';
export { splitClaims, type Claim } from './claims.js';
export { extractFeatures, tokenOverlap, CLAIM_FEATURES, RESPONSE_FEATURES, type ResponseFeatures, type ClaimFeatures } from './features.js';
