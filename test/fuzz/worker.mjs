// Worker-thread entry of the fuzzer: registers the TypeScript loader in this
// thread, then runs worker.ts (the reader runs).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
