import type { default as Connection, Options as ConnectionOptions } from "@xmpp/connection" with {
    "resolution-mode": "import",
};
import type xmppJid = require("@xmpp/jid");
import type { default as xmppXml, Element } from "@xmpp/xml" with { "resolution-mode": "import" };

/**
 * The XEP-0114 connection of an external component: a TCP stream in the `jabber:component:accept`
 * namespace, authenticated by the handshake.
 */
export interface Component extends Connection {
    readonly NS: "jabber:component:accept";
    headerElement(): Element;
    /** Adds the port 5347 when `service` gives none. */
    socketParameters(service: string): { host: string; port: number } | undefined;
    /** Sets a stanza's `from` to the component's address when it has none (XEP-0114 §3). */
    send(element: Element): Promise<void>;
    /** The XEP-0114 handshake: SHA-1 of the stream id and the secret. */
    authenticate(id: string, password: string): Promise<void>;
}

export const Component: {
    readonly NS: "jabber:component:accept";
    new(options: Options): Component;
};

export interface Options extends ConnectionOptions {
    service: string;
    domain: string;
}

export const xml: typeof xmppXml;
export const jid: typeof xmppJid;
