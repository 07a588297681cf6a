import type { DestinationConfig } from '../config/schema.js';
import type { DestinationFactory } from './destination.js';
import { hubspotDestination } from './hubspot/hubspot-destination.js';
import { salesforceDestination } from './salesforce/salesforce-destination.js';

/** Every destination cdp can sync to. Add one by adding its factory here (see CONTEXT.md). */
export const destinations: readonly DestinationFactory[] = [hubspotDestination, salesforceDestination];

export function destinationFactory(type: DestinationConfig['type']): DestinationFactory | undefined {
  return destinations.find((d) => d.type === type);
}
