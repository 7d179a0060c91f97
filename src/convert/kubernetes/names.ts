/**
 * Kubernetes names and labels for compose names. Services, Deployments and
 * most objects need a DNS-1123 label (lowercase letters, digits and '-',
 * at most 63, starting with a letter for a Service); compose allows more
 * (`_`, `.`, capitals). A name that changes is said in a note.
 */

/** The label every object of the project carries, and the selector of a service's pods. */
export const PART_OF = 'app.kubernetes.io/part-of';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const SERVICE_LABEL = 'tscompose.io/service';
/** A pod on compose network N carries `tscompose.io/net-N: "true"`. */
export const netLabel = (net: string): string => `tscompose.io/net-${labelPart(net)}`;

/** `name` as a DNS-1123 label: lowercase, invalid characters as '-', a letter first, at most 63. */
export function dnsLabel(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(s)) s = `x-${s}`;
  s = s.slice(0, 63).replace(/-+$/, '');
  return s || 'x';
}

/** A DNS-1123 subdomain (Secrets, ConfigMaps, PVCs): dots allowed. */
export function dnsSubdomain(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return s.slice(0, 253) || 'x';
}

/** The name part of a label key: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
function labelPart(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  // `tscompose.io/net-` leaves 59 characters.
  return (s || 'x').slice(0, 59).replace(/[^A-Za-z0-9]+$/, '');
}

/** The labels every object of the project carries. */
export function projectLabels(project: string): Record<string, string> {
  return { [PART_OF]: labelValue(project), [MANAGED_BY]: 'tscompose' };
}

/** A label value: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends (or empty). */
export function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
