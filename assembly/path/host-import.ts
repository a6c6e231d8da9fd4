// The one function the module imports: the JavaScript host model answering a question
// (host-query.ts). Kept alone because its decorator is AssemblyScript, not TypeScript, syntax
// (biome.json leaves this file out).

@external('env', 'hostQuery')
export declare function hostQueryImport(kind: u32, a: u32, b: u32, c: u32, out: usize): void;
