/**
 * Checks a rendered object the way the API server would on `kubectl apply` (strict field
 * validation): its fields' types and required fields against the Kubernetes OpenAPI schemas
 * (kubernetes-models), and no field the API does not know (round trip through
 * @kubernetes/client-node's serializer, which keeps only the fields its models declare).
 * A PrometheusRule, which neither knows, is checked by its shape (prometheus-rule-shape.ts).
 */
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { prometheusRuleProblems } from './prometheus-rule-shape.js';
import type { KubeObject } from './render-chart.js';

interface Kind {
  /** Validates against the OpenAPI schema; throws on the first violations. */
  validate(object: KubeObject): void;
  /** The @kubernetes/client-node model name. */
  readonly serializerType: string;
}

function kind<T extends { validate(): void }>(Model: new (data: never) => T, serializerType: string): Kind {
  return { validate: (object) => new Model(object as never).validate(), serializerType };
}

const KINDS: Readonly<Record<string, Kind>> = {
  'apps/v1/Deployment': kind(Deployment, 'V1Deployment'),
  'batch/v1/CronJob': kind(CronJob, 'V1CronJob'),
  'v1/PersistentVolumeClaim': kind(PersistentVolumeClaim, 'V1PersistentVolumeClaim'),
  'v1/Service': kind(Service, 'V1Service'),
  'v1/ServiceAccount': kind(ServiceAccount, 'V1ServiceAccount'),
  'v1/Namespace': kind(Namespace, 'V1Namespace'),
  'rbac.authorization.k8s.io/v1/Role': kind(Role, 'V1Role'),
  'rbac.authorization.k8s.io/v1/RoleBinding': kind(RoleBinding, 'V1RoleBinding'),
  'rbac.authorization.k8s.io/v1/ClusterRole': kind(ClusterRole, 'V1ClusterRole'),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': kind(ClusterRoleBinding, 'V1ClusterRoleBinding'),
};

/** Paths present in `actual` but missing from `known` (the fields the API would reject as unknown). */
function unknownFields(actual: unknown, known: unknown, path: string): string[] {
  if (Array.isArray(actual)) {
    const knownItems = Array.isArray(known) ? known : [];
    return actual.flatMap((item, i) => unknownFields(item, knownItems[i], `${path}[${i}]`));
  }
  if (actual !== null && typeof actual === 'object') {
    const knownObject = (known !== null && typeof known === 'object' ? known : {}) as Record<string, unknown>;
    return Object.entries(actual).flatMap(([key, value]) =>
      key in knownObject ? unknownFields(value, knownObject[key], `${path}.${key}`) : [`${path}.${key}`],
    );
  }
  return [];
}

/** Problems with one object, each naming the object and the field; empty when it would be accepted. */
export function kubeProblems(object: KubeObject): string[] {
  const id = `${object.kind}/${object.metadata?.name ?? '?'}`;
  if (object.kind === 'PrometheusRule') return prometheusRuleProblems(object).map((problem) => `${id}: ${problem}`);
  const kindOf = KINDS[`${object.apiVersion}/${object.kind}`];
  if (kindOf === undefined) return [`${id}: no schema for ${object.apiVersion} ${object.kind} in the chart tests`];
  const problems: string[] = [];
  try {
    kindOf.validate(object);
  } catch (error) {
    problems.push(`${id}: ${(error as Error).message}`);
  }
  const known: unknown = ObjectSerializer.serialize(ObjectSerializer.deserialize(object, kindOf.serializerType, ''), kindOf.serializerType, '');
  for (const field of unknownFields(object, known, '')) problems.push(`${id}: unknown field ${field.slice(1)}`);
  return problems;
}
