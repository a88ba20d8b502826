import { Component, jid, xml } from "@xmpp/component-core";

const entity = new Component({ service: "xmpp://localhost:5347", domain: "component.localhost" });

Component.NS; // $ExpectType "jabber:component:accept"
entity.NS; // $ExpectType "jabber:component:accept"
entity.status; // $ExpectType keyof StatusEvents
entity.jid; // $ExpectType JID | null
entity.start(); // $ExpectType Promise<JID>
entity.stop(); // $ExpectType Promise<Element>
entity.authenticate("stream id", "secret"); // $ExpectType Promise<void>
entity.send(xml("message", { to: "juliet@localhost" })); // $ExpectType Promise<void>
entity.socketParameters("xmpp://localhost"); // $ExpectType { host: string; port: number; } | undefined
entity.headerElement(); // $ExpectType Element
jid("juliet@localhost").bare(); // $ExpectType JID

entity.on("online", (address) => {
    address; // $ExpectType JID
});
entity.on("stanza", (stanza) => {
    stanza; // $ExpectType Element
});

// @ts-expect-error
new Component({ service: "xmpp://localhost:5347" });
// @ts-expect-error
entity.authenticate("stream id");
