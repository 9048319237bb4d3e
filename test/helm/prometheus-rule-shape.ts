/**
 * A PrometheusRule (monitoring.coreos.com/v1) checked by its shape, as the Prometheus Operator's
 * CRD schema would: kubernetes-models has no schema for it. Groups have a name and rules; a rule
 * is an alert (name, expr, for, labels, annotations) or a recording rule; `for` is a duration the
 * CRD accepts; no unknown field anywhere. PromQL itself is not parsed here.
 */
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { KubeObject } from './render-chart.js';

/** The CRD's pattern for `for` and `interval` (Prometheus durations). */
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
/** Prometheus metric and alert names. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const OBJECT_KEYS = ['apiVersion', 'kind', 'metadata', 'spec'];
const GROUP_KEYS = ['name', 'interval', 'rules', 'limit', 'partial_response_strategy'];
const RULE_KEYS = ['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], path: string): string[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => `unknown field ${path}${key}`);
}

function stringMapProblems(value: unknown, path: string, keyPattern?: RegExp): string[] {
  if (value === undefined) return [];
  if (!isRecord(value)) return [`${path} must be a map of strings`];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(typeof v === 'string' ? [] : [`${path}.${key} must be a string`]),
    ...(keyPattern === undefined || keyPattern.test(key) ? [] : [`${path}: "${key}" is not a label name`]),
  ]);
}

function ruleProblems(rule: unknown, path: string): string[] {
  if (!isRecord(rule)) return [`${path} must be an object`];
  const problems = unknownKeys(rule, RULE_KEYS, `${path}.`);
  const isAlert = rule.alert !== undefined;
  if (isAlert === (rule.record !== undefined)) problems.push(`${path} must have exactly one of alert and record`);
  const name = rule.alert ?? rule.record;
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) problems.push(`${path}: bad ${isAlert ? 'alert' : 'record'} name ${JSON.stringify(name)}`);
  if (typeof rule.expr !== 'string' || rule.expr.trim() === '') problems.push(`${path}.expr must be a non-empty string`);
  for (const key of ['for', 'keep_firing_for']) {
    const value = rule[key];
    if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value)))
      problems.push(`${path}.${key}: ${JSON.stringify(value)} is not a duration`);
  }
  if (!isAlert && (rule.for !== undefined || rule.annotations !== undefined)) problems.push(`${path}: a recording rule has no for or annotations`);
  problems.push(...stringMapProblems(rule.labels, `${path}.labels`, LABEL_NAME), ...stringMapProblems(rule.annotations, `${path}.annotations`));
  return problems;
}

function groupProblems(group: unknown, path: string): string[] {
  if (!isRecord(group)) return [`${path} must be an object`];
  const problems = unknownKeys(group, GROUP_KEYS, `${path}.`);
  if (typeof group.name !== 'string' || group.name === '') problems.push(`${path}.name must be a non-empty string`);
  if (group.interval !== undefined && (typeof group.interval !== 'string' || !DURATION.test(group.interval)))
    problems.push(`${path}.interval is not a duration`);
  if (!Array.isArray(group.rules)) return [...problems, `${path}.rules must be a list`];
  return [...problems, ...group.rules.flatMap((rule, i) => ruleProblems(rule, `${path}.rules[${i}]`))];
}

/** Problems with a PrometheusRule, each naming the field; empty when its shape is right. */
export function prometheusRuleProblems(object: KubeObject): string[] {
  const problems: string[] = [];
  if (object.apiVersion !== 'monitoring.coreos.com/v1') problems.push(`apiVersion is ${object.apiVersion}, want monitoring.coreos.com/v1`);
  if (object.kind !== 'PrometheusRule') problems.push(`kind is ${object.kind}, want PrometheusRule`);
  problems.push(...unknownKeys(object, OBJECT_KEYS, ''));
  const meta: unknown = ObjectSerializer.serialize(ObjectSerializer.deserialize(object.metadata, 'V1ObjectMeta', ''), 'V1ObjectMeta', '');
  for (const key of Object.keys(object.metadata)) {
    if (!isRecord(meta) || !(key in meta)) problems.push(`unknown field metadata.${key}`);
  }
  problems.push(...stringMapProblems(object.metadata.labels, 'metadata.labels'), ...stringMapProblems(object.metadata.annotations, 'metadata.annotations'));
  const spec = object.spec;
  if (!isRecord(spec)) return [...problems, 'spec must be an object'];
  problems.push(...unknownKeys(spec, ['groups', 'partial_response_strategy'], 'spec.'));
  if (!Array.isArray(spec.groups) || spec.groups.length === 0) return [...problems, 'spec.groups must be a non-empty list'];
  const names = spec.groups.map((g) => (isRecord(g) ? g.name : undefined));
  if (new Set(names).size !== names.length) problems.push('spec.groups: group names must differ');
  problems.push(...spec.groups.flatMap((group, i) => groupProblems(group, `spec.groups[${i}]`)));
  return problems;
}
