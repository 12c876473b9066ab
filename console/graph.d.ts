// Types for the tests (test/unit/console-graph.test.ts); the console itself is plain JS with no build step.
export declare const BOX: { w: number; h: number; gapX: number; gapY: number; pad: number; header: number; loopRoom: number };
export interface GraphNode { id: string; type: string; title: string; detail: string; x: number; y: number; w: number; h: number; frame: boolean }
export interface GraphEdge { from: string; to: string; label?: string; back?: boolean; error?: boolean }
export declare function duration(ms: number): string;
export declare function describe(node: unknown): { title: string; detail: string };
export declare function layout(definition: unknown): { nodes: GraphNode[]; edges: GraphEdge[]; width: number; height: number };
