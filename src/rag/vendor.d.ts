// `stopword` ships no type declarations; these cover the one list Aether reads.
declare module 'stopword' {
  /** English stopwords. */
  export const eng: string[];
}
