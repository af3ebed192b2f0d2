import graphology from 'graphology';
import { hasCycle, topologicalSort } from 'graphology-dag';
import { DagDefinitionError } from '../errors.js';
import type { TaskDefinition } from './task-builder.js';

const { DirectedGraph } = graphology as unknown as { DirectedGraph: typeof graphology.DirectedGraph };

interface ValidatableDag {
  readonly id: string;
  file?: string | undefined;
  listTasks(): TaskDefinition[];
}

function findCyclePath(graph: InstanceType<typeof DirectedGraph>): string[] {
  const color = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  let cycle: string[] = [];
  const visit = (node: string): boolean => {
    color.set(node, 1);
    stack.push(node);
    for (const next of graph.outNeighbors(node)) {
      const c = color.get(next) ?? 0;
      if (c === 1) {
        cycle = [...stack.slice(stack.indexOf(next)), next];
        return true;
      }
      if (c === 0 && visit(next)) return true;
    }
    stack.pop();
    color.set(node, 2);
    return false;
  };
  for (const node of graph.nodes()) if ((color.get(node) ?? 0) === 0 && visit(node)) break;
  return cycle;
}

/**
 * Validates a DAG's graph with graphology: dangling references, self-dependencies, cycles (the error prints
 * the cycle's path), mapped tasks whose source is not upstream. Returns the task ids in topological order.
 */
export function validateDagGraph(dag: ValidatableDag): string[] {
  const where = `DAG ${dag.id}${dag.file ? ` (${dag.file})` : ''}`;
  const graph = new DirectedGraph();
  const tasks = dag.listTasks();
  if (tasks.length === 0) throw new DagDefinitionError(`${where}: has no tasks`, 'tasks', dag.file);
  for (const t of tasks) graph.addNode(t.id);
  for (const t of tasks) {
    for (const up of t.upstream) {
      if (!graph.hasNode(up)) {
        throw new DagDefinitionError(`${where}: task ${t.id} depends on unknown task '${up}'`, t.id, dag.file);
      }
      if (up === t.id) throw new DagDefinitionError(`${where}: task ${t.id} depends on itself`, t.id, dag.file);
      graph.mergeEdge(up, t.id);
    }
    if (t.kind === 'map' && (!t.mapOver || !graph.hasNode(t.mapOver))) {
      throw new DagDefinitionError(`${where}: mapped task ${t.id} maps over unknown task '${t.mapOver ?? ''}'`, t.id, dag.file);
    }
    if (t.kind === 'map' && t.mapOver) {
      const source = tasks.find((s) => s.id === t.mapOver);
      if (source?.kind === 'sensor') {
        throw new DagDefinitionError(`${where}: mapped task ${t.id} maps over sensor '${t.mapOver}', whose output is not an array`, t.id, dag.file);
      }
    }
  }
  if (hasCycle(graph)) {
    const path = findCyclePath(graph);
    throw new DagDefinitionError(`${where}: cycle ${path.join(' -> ')}`, path[0] ?? 'tasks', dag.file);
  }
  return topologicalSort(graph);
}
