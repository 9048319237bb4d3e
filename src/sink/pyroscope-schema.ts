/**
 * Pyroscope's `push.v1.PusherService` as protobuf-es descriptors, built at start-up from the
 * message shapes in pyroscope-push.proto (field numbers from /work/shared/PYROSCOPE_API.md).
 * Generated code would embed the same FileDescriptorProto; protoc-gen-es 2.17 needs Node 22, so
 * the descriptor is written here with @bufbuild/protobuf's runtime API instead, and
 * createFileRegistry checks it (names, types, the import) as protoc would.
 */
import { create, createFileRegistry, type Message } from '@bufbuild/protobuf';
import { type GenMessage, type GenService, messageDesc, serviceDesc } from '@bufbuild/protobuf/codegenv2';
import {
  type DescriptorProto,
  DescriptorProtoSchema,
  type FieldDescriptorProto_Label,
  type FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';

export type LabelPair = Message<'types.v1.LabelPair'> & { name: string; value: string };
export type RawSample = Message<'push.v1.RawSample'> & { rawProfile: Uint8Array; ID: string };
export type RawProfileSeries = Message<'push.v1.RawProfileSeries'> & { labels: LabelPair[]; samples: RawSample[] };
export type PushRequest = Message<'push.v1.PushRequest'> & { series: RawProfileSeries[] };
export type PushResponse = Message<'push.v1.PushResponse'>;

// google.protobuf.FieldDescriptorProto enum values (descriptor.proto).
const TYPE_STRING = 9 as FieldDescriptorProto_Type;
const TYPE_MESSAGE = 11 as FieldDescriptorProto_Type;
const TYPE_BYTES = 12 as FieldDescriptorProto_Type;
const OPTIONAL = 1 as FieldDescriptorProto_Label;
const REPEATED = 3 as FieldDescriptorProto_Label;

interface FieldSpec {
  name: string;
  number: number;
  type: FieldDescriptorProto_Type;
  repeated?: boolean;
  typeName?: string;
  /** protoc's json_name: the lowerCamelCase name; given only where it differs from `name`. */
  jsonName?: string;
}

function message(name: string, fields: readonly FieldSpec[]): DescriptorProto {
  return create(DescriptorProtoSchema, {
    name,
    field: fields.map((f) => ({
      name: f.name,
      number: f.number,
      type: f.type,
      label: f.repeated ? REPEATED : OPTIONAL,
      typeName: f.typeName,
      jsonName: f.jsonName ?? f.name,
    })),
  });
}

const typesFile = create(FileDescriptorProtoSchema, {
  name: 'types/v1/types.proto',
  package: 'types.v1',
  syntax: 'proto3',
  messageType: [
    message('LabelPair', [
      { name: 'name', number: 1, type: TYPE_STRING },
      { name: 'value', number: 2, type: TYPE_STRING },
    ]),
  ],
});

const pushFile = create(FileDescriptorProtoSchema, {
  name: 'push/v1/push.proto',
  package: 'push.v1',
  syntax: 'proto3',
  dependency: ['types/v1/types.proto'],
  messageType: [
    message('PushResponse', []),
    message('PushRequest', [{ name: 'series', number: 1, type: TYPE_MESSAGE, repeated: true, typeName: '.push.v1.RawProfileSeries' }]),
    message('RawProfileSeries', [
      { name: 'labels', number: 1, type: TYPE_MESSAGE, repeated: true, typeName: '.types.v1.LabelPair' },
      { name: 'samples', number: 2, type: TYPE_MESSAGE, repeated: true, typeName: '.push.v1.RawSample' },
    ]),
    message('RawSample', [
      { name: 'raw_profile', number: 1, type: TYPE_BYTES, jsonName: 'rawProfile' },
      { name: 'ID', number: 2, type: TYPE_STRING, jsonName: 'ID' },
    ]),
  ],
  service: [{ name: 'PusherService', method: [{ name: 'Push', inputType: '.push.v1.PushRequest', outputType: '.push.v1.PushResponse' }] }],
});

const registry = createFileRegistry(pushFile, (name) => (name === typesFile.name ? typesFile : undefined));
const file = registry.getFile(pushFile.name);
if (file === undefined) throw new Error('pyroscope-schema: push/v1/push.proto is missing from its own registry');

export const PushResponseSchema: GenMessage<PushResponse> = messageDesc(file, 0);
export const PushRequestSchema: GenMessage<PushRequest> = messageDesc(file, 1);
export const RawProfileSeriesSchema: GenMessage<RawProfileSeries> = messageDesc(file, 2);
export const RawSampleSchema: GenMessage<RawSample> = messageDesc(file, 3);

export const PusherService: GenService<{
  push: { methodKind: 'unary'; input: typeof PushRequestSchema; output: typeof PushResponseSchema };
}> = serviceDesc(file, 0);
