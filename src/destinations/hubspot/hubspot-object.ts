/** The HubSpot CRM objects cdp syncs, by the name a connector's `object:` uses. */
export interface HubSpotObject {
  /** The path segment of `/crm/v3/objects/{type}`. */
  readonly path: 'contacts' | 'companies';
  /** Lists v3 `objectTypeId`. */
  readonly typeId: '0-1' | '0-2';
  /** HubSpot's own unique property usable as `idProperty`, if any. */
  readonly builtInKey?: 'email';
}

const OBJECTS: readonly (HubSpotObject & { readonly names: readonly string[] })[] = [
  { path: 'contacts', typeId: '0-1', builtInKey: 'email', names: ['contacts', 'contact', '0-1'] },
  { path: 'companies', typeId: '0-2', names: ['companies', 'company', '0-2'] },
];

export const HUBSPOT_OBJECT_NAMES: readonly string[] = OBJECTS.map((o) => o.path);

export function hubspotObject(name: string): HubSpotObject | undefined {
  return OBJECTS.find((o) => o.names.includes(name.toLowerCase()));
}

/** HubSpot compares emails case-insensitively; custom unique properties exactly. */
export function hubspotKeyCaseInsensitive(object: string, field: string): boolean {
  return hubspotObject(object)?.builtInKey === field;
}
