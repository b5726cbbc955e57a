/** Gemini's older `Schema` (an OpenAPI 3.0 subset: upper-case types, `nullable`) as JSON Schema,
 * which every other provider takes. Gemini-only keys (`propertyOrdering`) are dropped. */

const NESTED_MAPS = new Set(['properties', '$defs', 'definitions']);
const NESTED_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const DROPPED = new Set(['nullable', 'propertyOrdering']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const jsonSchemaFromOpenApi = (schema: unknown): unknown => {
  if (!isObject(schema)) return schema;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key)) continue;
    if (key === 'type' && typeof value === 'string') converted.type = value.toLowerCase();
    else if (NESTED_MAPS.has(key) && isObject(value)) converted[key] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, jsonSchemaFromOpenApi(inner)]));
    else if (NESTED_LISTS.has(key) && Array.isArray(value)) converted[key] = value.map(jsonSchemaFromOpenApi);
    else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isObject(value)) converted[key] = jsonSchemaFromOpenApi(value);
    else converted[key] = value;
  }
  if (schema.nullable === true && typeof converted.type === 'string') converted.type = [converted.type, 'null'];
  return converted;
};
