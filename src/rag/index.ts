// The retrieval toolkit's public surface: the composition root builds it, routes, CLI and bench call it.
export { createRag, type Rag, type RagDeps, type ProjectRef, type Reranker, type SearchResult, type DocumentResult } from './service.js';
export { chunkText, chunkId, DEFAULT_CHUNKING, type Chunk, type ChunkOptions } from './chunk.js';
export { localEmbedder, gatewayEmbedder, embeddingChain, contentHash, type LocalEmbedderOptions, type Embedder, type EmbeddingChain, type ChainOptions, type GatewayEmbed, type TieredEmbeddings } from './embed.js';
export { rrf, convex, type Ranked } from './fusion.js';
export { assembleContexts, jaccard, type Candidate, type AssembleOptions } from './context.js';
export { terms, words, termCounts } from './text.js';
export { loadTokenizer, type Tokenizer } from './tokens.js';
export { parseFile, SUPPORTED_EXTENSIONS, type ParsedDocument } from './loaders.js';
export * from './schemas.js';
export { llmReranker, parseScores, rerankPrompt, type RerankChat } from './rerank.js';
export { LexicalIndex, contains } from './lexical.js';
