// The graph of a graph model (model.json's modelTopology.node): checked to be a graph that
// tfjs-converter can run, and put in data-flow order.

/** A node of a GraphDef as model.json holds it (after the checks of its fields). */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
}

/** The node a graph input names: `name`, `name:1` (an output) or `^name` (a control input). */
export function inputNode(input: string): string {
  return input.replace(/^\^/, '').split(':')[0]!;
}

/**
 * Checks that the nodes form a graph tfjs-converter can run, in time and memory linear in its
 * size: unique names, every input naming a node, no node reading itself, and no cycle (except
 * the loops of TF1 control flow, which close through a `NextIteration` node). Each fault is named
 * by its nodes. Returns the nodes in data-flow order (each after its inputs), as model.json lists
 * them wherever it already lists them so.
 */
export function assertGraphTopology<T extends GraphNode>(location: string, nodes: readonly T[]): T[] {
  const index = new Map<string, number>();
  nodes.forEach(({ name }, i) => {
    const first = index.get(name);
    if (first !== undefined) throw new Error(`The graph of ${location} has two nodes named '${name}' (modelTopology.node[${first}] and [${i}]): node names must be unique.`);
    index.set(name, i);
  });
  const sources = nodes.map(({ name, input = [] }, i) =>
    input.flatMap((edge) => {
      const source = index.get(inputNode(edge));
      const at = `The graph of ${location}: node '${name}' (modelTopology.node[${i}])`;
      if (source === undefined) throw new Error(`${at} reads '${edge}', but no node is named '${inputNode(edge)}'.`);
      if (source === i) throw new Error(`${at} reads its own output '${edge}': no node can feed itself.`);
      return nodes[source]!.op === 'NextIteration' ? [] : [source]; // the back edge of a TF1 loop
    }),
  );
  // Depth first, inputs before the node, roots in listing order; a node met again while it is on
  // the path closes a cycle. Iterative: a chain of 50,000 nodes would overflow the call stack.
  const state = new Uint8Array(nodes.length); // 0 not seen, 1 on the path, 2 ordered
  const order: T[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root] !== 0) continue;
    state[root] = 1;
    const path: [node: number, next: number][] = [[root, 0]];
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const source = sources[top[0]]![top[1]++];
      if (source === undefined) {
        state[top[0]] = 2;
        order.push(nodes[top[0]]!);
        path.pop();
      } else if (state[source] === 1) {
        const cycle = path.slice(path.findIndex(([n]) => n === source)).map(([n]) => n).reverse(); // in data-flow order
        const first = cycle.indexOf(Math.min(...cycle)); // from where model.json lists the cycle first
        const names = [...cycle.slice(first), ...cycle.slice(0, first + 1)].map((n) => `'${nodes[n]!.name}'`);
        throw new Error(`The graph of ${location} has a cycle: ${names.join(' → ')} (each node reads the one before it).`);
      } else if (state[source] === 0) {
        state[source] = 1;
        path.push([source, 0]);
      }
    }
  }
  return order;
}
