import { component, jid, xml } from "@xmpp/component";

const xmpp = component({ service: "xmpp://localhost:5347", domain: "component.localhost", password: "secret" });

xmpp; // $ExpectType Component
xmpp.entity; // $ExpectType Component
xmpp.reconnect.delay; // $ExpectType number
xmpp.reconnect.entity; // $ExpectType Component
xmpp.start(); // $ExpectType Promise<JID>
xmpp.stop(); // $ExpectType Promise<Element>
xmpp.send(xml("presence")); // $ExpectType Promise<void>
xmpp.authenticate("stream id", "secret"); // $ExpectType Promise<void>
jid("component.localhost"); // $ExpectType JID

xmpp.middleware.use(async (ctx, next) => {
    ctx.stanza; // $ExpectType Element
    ctx.from; // $ExpectType JID | null
    ctx.entity; // $ExpectType Component
    return next();
});
xmpp.middleware.filter((ctx, next) => next());

xmpp.iqCallee.get("urn:example:notes", "get", ({ element, from }) => {
    element; // $ExpectType Element
    from; // $ExpectType JID | null
    return xml("note", { xmlns: "urn:example:notes" }, element.attrs.key);
});
xmpp.iqCallee.set("urn:example:notes", "set", () => true);

xmpp.iqCaller.request(xml("iq", { type: "get", to: "localhost" }, xml("ping", "urn:xmpp:ping"))); // $ExpectType Promise<Element>
xmpp.iqCaller.get(xml("ping", "urn:xmpp:ping"), "localhost"); // $ExpectType Promise<Element | undefined>

component({
    service: "xmpp://localhost:5347",
    domain: "component.localhost",
    password: (authenticate) => authenticate("secret from a vault"),
});

// @ts-expect-error
component({ service: "xmpp://localhost:5347", domain: "component.localhost" });
// @ts-expect-error
xmpp.iqCallee.get("urn:example:notes", "get");
