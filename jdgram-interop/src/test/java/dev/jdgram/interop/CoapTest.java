package dev.jdgram.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Eclipse Californium's CoAP server and client, both over jdgram ({@link JdgramUdpConnector}),
 * exchanging confirmable requests and their piggy-backed acknowledgements on 127.0.0.1.
 */
class CoapTest {
  private final AtomicInteger handled = new AtomicInteger();
  private Configuration config;
  private JdgramUdpConnector serverConnector;
  private CoapServer server;
  private CoapEndpoint clientEndpoint;
  private JdgramUdpConnector clientConnector;

  @BeforeEach
  void start() throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    config = Configuration.createStandardWithoutFile();
    InetAddress lo = InetAddress.getLoopbackAddress();
    serverConnector = new JdgramUdpConnector(new InetSocketAddress(lo, 0), config);
    server = new CoapServer(config);
    server.addEndpoint(new CoapEndpoint.Builder().setConnector(serverConnector).setConfiguration(config).build());
    server.add(new CoapResource("echo") {
      @Override
      public void handleGET(CoapExchange exchange) {
        handled.incrementAndGet();
        exchange.respond("hello from jdgram");
      }

      @Override
      public void handlePOST(CoapExchange exchange) {
        handled.incrementAndGet();
        exchange.respond(CoAP.ResponseCode.CHANGED, new StringBuilder(exchange.getRequestText()).reverse().toString());
      }
    });
    server.start();
    clientConnector = new JdgramUdpConnector(new InetSocketAddress(lo, 0), config);
    clientEndpoint = new CoapEndpoint.Builder().setConnector(clientConnector).setConfiguration(config).build();
    clientEndpoint.start();
  }

  @AfterEach
  void stop() {
    if (clientEndpoint != null) {
      clientEndpoint.destroy();
    }
    if (server != null) {
      server.destroy();
    }
  }

  private CoapClient client() {
    int port = serverConnector.getAddress().getPort();
    CoapClient c = new CoapClient("coap://127.0.0.1:" + port + "/echo");
    c.setEndpoint(clientEndpoint);
    c.setTimeout(10_000L);
    c.useCONs();
    return c;
  }

  @Test
  void confirmableRequestsGetTheirAnswers() throws Exception {
    assertTrue(serverConnector.getAddress().getPort() > 0);
    CoapClient c = client();
    try {
      for (int i = 0; i < 20; i++) {
        CoapResponse get = c.get();
        assertNotNull(get, "no answer to GET " + i);
        assertEquals(CoAP.ResponseCode.CONTENT, get.getCode());
        assertEquals("hello from jdgram", get.getResponseText());
        assertEquals(CoAP.Type.ACK, get.advanced().getType(), "a piggy-backed acknowledgement of a CON");
      }
      CoapResponse post = c.post("jdgram", MediaTypeRegistry.TEXT_PLAIN);
      assertNotNull(post);
      assertEquals(CoAP.ResponseCode.CHANGED, post.getCode());
      assertEquals("margdj", post.getResponseText());
    } finally {
      c.shutdown();
    }
    assertEquals(21, handled.get());
    assertNotNull(serverConnector.socket, "the server's socket was jdgram's");
    assertEquals(serverConnector.getAddress().getPort(), serverConnector.socket.dgramSocket().address().port());
    assertNotNull(clientConnector.socket.dgramSocket());
  }
}
