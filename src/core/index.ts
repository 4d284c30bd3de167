export * from './errors.js';
export * from './ids.js';
export * from './config.js';
export * from './schemas/trace.js';
export * from './schemas/trace-query.js';
export * from './logger.js';
export * from './validate.js';
export * from './schemas/api.js';
