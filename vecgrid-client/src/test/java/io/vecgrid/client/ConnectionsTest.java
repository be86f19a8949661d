package io.vecgrid.client;

import org.apache.ignite.configuration.ClientConfiguration;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/** The address and configuration handling of the standby connection ({@link Connections}). */
class ConnectionsTest {
    @Test
    void rangesExpandToOneAddressPerPortWithoutDuplicates() {
        assertEquals(List.of("127.0.0.1:10800", "127.0.0.1:10801", "127.0.0.1:10802", "10.0.0.5:10800"),
            Connections.expand(new String[] {"127.0.0.1:10800..10802", " 10.0.0.5:10800 ", "127.0.0.1:10801"}));
        assertEquals(List.of("[::1]:10800"), Connections.expand(new String[] {"[::1]:10800"}));
        assertEquals(64, Connections.expand(new String[] {"h:1000..2000"}).size(), "a range is capped at 64 ports");
        assertEquals(List.of(), Connections.expand(null));
    }

    @Test
    void copyKeepsEverySettingAndLeavesTheOriginalAlone() {
        ClientConfiguration c = new ClientConfiguration().setAddresses("a:1", "b:2").setUserName("app")
            .setUserPassword("secret").setTimeout(1234).setPartitionAwarenessEnabled(false).setHeartbeatEnabled(true);
        ClientConfiguration copy = Connections.copy(c);
        assertNotSame(c, copy);
        assertEquals("app", copy.getUserName());
        assertEquals("secret", copy.getUserPassword());
        assertEquals(1234, copy.getTimeout());
        assertEquals(false, copy.isPartitionAwarenessEnabled());
        assertEquals(true, copy.isHeartbeatEnabled());
        copy.setAddresses("c:3");
        assertArrayEquals(new String[] {"a:1", "b:2"}, c.getAddresses());
    }
}
