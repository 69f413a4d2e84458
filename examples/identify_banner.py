"""Identify a service from its banner.

Starts a tiny SMTP-like server on a free loopback port (it greets as an "Acme" mail
server would), then identifies it twice: with the built-in rules, which recognise an
ESMTP greeting, and with one extra rule that knows the product and its version.
"""

from __future__ import annotations

import anyio
import anyio.abc
from anyio.abc import SocketAttribute

import portkit

GREETING = b"220 mail.example.test ESMTP AcmeMail 4.2 ready\r\n"

ACME = portkit.identification.Rule(
    name="acmemail",
    service="smtp",
    product="AcmeMail",
    pattern=rb"\A220 (?P<hostname>\S+) ESMTP AcmeMail (?P<version>[\d.]+)",
    ports="25,587",
)


async def greet(stream: anyio.abc.SocketStream) -> None:
    async with stream:
        await stream.send(GREETING)


async def main() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, greet)
        endpoint = portkit.Endpoint(host="127.0.0.1", port=port)
        for label, rules in [
            ("built-in rules", portkit.identification.identify_rules()),
            ("with the AcmeMail rule", portkit.identification.identify_rules().extend(ACME)),
        ]:
            result = await portkit.identification.BannerProbe(rules=rules)(endpoint, 2.0)
            ident = result.details["identification"]
            assert isinstance(ident, portkit.identification.Identification)
            print(f"{label}: port {port} is {result.state}, service={ident.service} "
                  f"product={ident.product} version={ident.version} rule={ident.rule}")
            print(f"  banner: {ident.banner}")
        tg.cancel_scope.cancel()


if __name__ == "__main__":
    anyio.run(main)
