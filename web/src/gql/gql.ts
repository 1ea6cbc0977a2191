/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation SignIn($tenant: String!, $email: String!, $password: String!) {\n  signIn(tenant: $tenant, email: $email, password: $password) {\n    expiresAt\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}": typeof types.SignInDocument,
    "query CalendarMonth($from: Date!, $to: Date!) {\n  occupancy(from: $from, to: $to) {\n    from\n    to\n    measure\n    days {\n      date\n      occupied\n      capacity\n      ratio\n    }\n  }\n}\n\nquery CalendarDay($date: Date!) {\n  day(date: $date) {\n    date\n    measure\n    occupancy {\n      date\n      occupied\n      capacity\n      ratio\n      units {\n        unit {\n          id\n          name\n        }\n        occupied\n        capacity\n        ratio\n      }\n    }\n    reservations {\n      id\n      state\n      start\n      end\n      checkIn\n      checkOut\n      guests\n      quantity\n      holdExpiresAt\n      unit {\n        id\n        name\n      }\n      client {\n        id\n        name\n        email\n        phone\n      }\n    }\n  }\n}\n\nsubscription CalendarReservationEvents {\n  reservationEvents {\n    id\n    kind\n  }\n}": typeof types.CalendarMonthDocument,
    "fragment ViewerFields on User {\n  id\n  email\n  role\n  tenant {\n    slug\n    name\n    timezone\n    currency\n    locale\n    model\n  }\n}\n\nquery Viewer {\n  me {\n    ...ViewerFields\n  }\n}": typeof types.ViewerFieldsFragmentDoc,
};
const documents: Documents = {
    "mutation SignIn($tenant: String!, $email: String!, $password: String!) {\n  signIn(tenant: $tenant, email: $email, password: $password) {\n    expiresAt\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}": types.SignInDocument,
    "query CalendarMonth($from: Date!, $to: Date!) {\n  occupancy(from: $from, to: $to) {\n    from\n    to\n    measure\n    days {\n      date\n      occupied\n      capacity\n      ratio\n    }\n  }\n}\n\nquery CalendarDay($date: Date!) {\n  day(date: $date) {\n    date\n    measure\n    occupancy {\n      date\n      occupied\n      capacity\n      ratio\n      units {\n        unit {\n          id\n          name\n        }\n        occupied\n        capacity\n        ratio\n      }\n    }\n    reservations {\n      id\n      state\n      start\n      end\n      checkIn\n      checkOut\n      guests\n      quantity\n      holdExpiresAt\n      unit {\n        id\n        name\n      }\n      client {\n        id\n        name\n        email\n        phone\n      }\n    }\n  }\n}\n\nsubscription CalendarReservationEvents {\n  reservationEvents {\n    id\n    kind\n  }\n}": types.CalendarMonthDocument,
    "fragment ViewerFields on User {\n  id\n  email\n  role\n  tenant {\n    slug\n    name\n    timezone\n    currency\n    locale\n    model\n  }\n}\n\nquery Viewer {\n  me {\n    ...ViewerFields\n  }\n}": types.ViewerFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignIn($tenant: String!, $email: String!, $password: String!) {\n  signIn(tenant: $tenant, email: $email, password: $password) {\n    expiresAt\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}"): (typeof documents)["mutation SignIn($tenant: String!, $email: String!, $password: String!) {\n  signIn(tenant: $tenant, email: $email, password: $password) {\n    expiresAt\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation SignOut {\n  signOut\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CalendarMonth($from: Date!, $to: Date!) {\n  occupancy(from: $from, to: $to) {\n    from\n    to\n    measure\n    days {\n      date\n      occupied\n      capacity\n      ratio\n    }\n  }\n}\n\nquery CalendarDay($date: Date!) {\n  day(date: $date) {\n    date\n    measure\n    occupancy {\n      date\n      occupied\n      capacity\n      ratio\n      units {\n        unit {\n          id\n          name\n        }\n        occupied\n        capacity\n        ratio\n      }\n    }\n    reservations {\n      id\n      state\n      start\n      end\n      checkIn\n      checkOut\n      guests\n      quantity\n      holdExpiresAt\n      unit {\n        id\n        name\n      }\n      client {\n        id\n        name\n        email\n        phone\n      }\n    }\n  }\n}\n\nsubscription CalendarReservationEvents {\n  reservationEvents {\n    id\n    kind\n  }\n}"): (typeof documents)["query CalendarMonth($from: Date!, $to: Date!) {\n  occupancy(from: $from, to: $to) {\n    from\n    to\n    measure\n    days {\n      date\n      occupied\n      capacity\n      ratio\n    }\n  }\n}\n\nquery CalendarDay($date: Date!) {\n  day(date: $date) {\n    date\n    measure\n    occupancy {\n      date\n      occupied\n      capacity\n      ratio\n      units {\n        unit {\n          id\n          name\n        }\n        occupied\n        capacity\n        ratio\n      }\n    }\n    reservations {\n      id\n      state\n      start\n      end\n      checkIn\n      checkOut\n      guests\n      quantity\n      holdExpiresAt\n      unit {\n        id\n        name\n      }\n      client {\n        id\n        name\n        email\n        phone\n      }\n    }\n  }\n}\n\nsubscription CalendarReservationEvents {\n  reservationEvents {\n    id\n    kind\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ViewerFields on User {\n  id\n  email\n  role\n  tenant {\n    slug\n    name\n    timezone\n    currency\n    locale\n    model\n  }\n}\n\nquery Viewer {\n  me {\n    ...ViewerFields\n  }\n}"): (typeof documents)["fragment ViewerFields on User {\n  id\n  email\n  role\n  tenant {\n    slug\n    name\n    timezone\n    currency\n    locale\n    model\n  }\n}\n\nquery Viewer {\n  me {\n    ...ViewerFields\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;