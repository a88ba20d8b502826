import type { Component as ComponentCore, jid as xmppJid, xml as xmppXml } from "@xmpp/component-core";
import type { IQCaller } from "@xmpp/iq/caller.js" with { "resolution-mode": "import" };
import type { IncomingContext, Middleware } from "@xmpp/middleware" with { "resolution-mode": "import" };
import type { Reconnect } from "@xmpp/reconnect" with { "resolution-mode": "import" };
import type { Element } from "@xmpp/xml" with { "resolution-mode": "import" };

/**
 * An XMPP external component (XEP-0114): the component connection with the reconnect,
 * middleware and iq plugins, as `@xmpp/client` is for clients.
 *
 * @example
 * import { component, xml } from "@xmpp/component";
 *
 * const xmpp = component({ service: "xmpp://localhost:5347", domain: "notes.localhost", password: "secret" });
 * xmpp.iqCallee.get("urn:example:notes", "get", ({ element }) => xml("note", { xmlns: "urn:example:notes" }, element.attrs.key));
 * await xmpp.start();
 */
export function component(options: Options): Component;

export interface Options {
    /** The server's component port, e.g. `xmpp://localhost:5347` (5347 when no port is given). */
    service: string;
    /** The component's domain, as the server configures it. */
    domain: string;
    /**
     * The shared secret of the handshake, or a function that gets it from elsewhere and passes
     * it to `authenticate`.
     */
    password: string | ((authenticate: (password: string) => Promise<void>) => Promise<void>);
}

export interface Component extends ComponentCore {
    entity: Component;
    reconnect: Reconnect<Component>;
    middleware: Middleware<Component>;
    iqCaller: IQCaller<Component>;
    iqCallee: IQCallee;
}

/**
 * The context of an `iqCallee` route: the callee adds the request's single child as `element`.
 */
// eslint-disable-next-line @typescript-eslint/naming-convention -- xmpp.js's name, as in @types/xmpp__iq
export interface IQCalleeContext extends IncomingContext<Component> {
    element: Element;
}

/**
 * A route's return value is the reply: an `<error/>` element makes a `type="error"` iq, another
 * element is the result's child, another truthy value an empty result. A route that throws, or
 * returns a falsy value, gets an error reply.
 */
export type IQHandler = (context: IQCalleeContext, next: () => Promise<unknown>) => unknown;

/** Routes iq `get` and `set` requests by the namespace and name of their child. */
// eslint-disable-next-line @typescript-eslint/naming-convention -- xmpp.js's name, as in @types/xmpp__iq
export interface IQCallee {
    get(ns: string, name: string, handler: IQHandler): void;
    set(ns: string, name: string, handler: IQHandler): void;
}

export const xml: typeof xmppXml;
export const jid: typeof xmppJid;
