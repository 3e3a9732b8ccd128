// The local MongoDB-wire server: mongo-java-server with the H2 backend (an MVStore file), so data
// survives a restart. Run with the source launcher, the classpath from the `mongo` Maven profile:
//
//   java -cp '<cache>/mongo/lib/*' deploy/engines/MongoWireServer.java --host 127.0.0.1 --port 27027 --data DIR
//
// `--data :memory:` keeps everything in memory instead.

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.h2.mvstore.MVStore;

public class MongoWireServer {

    // PyMongo 4.20 refuses wire versions below 9 and the library's own ServerVersion enum stops at 8.
    enum ReportedVersion implements MongoVersion {
        MONGO_4_4(List.of(4, 4, 0), 9);

        private final List<Integer> versionArray;
        private final int wireVersion;

        ReportedVersion(List<Integer> versionArray, int wireVersion) {
            this.versionArray = versionArray;
            this.wireVersion = wireVersion;
        }

        @Override
        public List<Integer> getVersionArray() {
            return versionArray;
        }

        @Override
        public String toVersionString() {
            return versionArray.get(0) + "." + versionArray.get(1) + "." + versionArray.get(2);
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 27027;
        String data = ":memory:";
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--host" -> host = require(args[i], value);
                case "--port" -> port = Integer.parseInt(require(args[i], value));
                case "--data" -> data = require(args[i], value);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
            i++;
        }

        final MVStore store;
        final H2Backend backend;
        if (":memory:".equals(data)) {
            store = null;
            backend = H2Backend.inMemory();
        } else {
            Path dir = Path.of(data);
            Files.createDirectories(dir);
            store = new MVStore.Builder().fileName(dir.resolve("mongo.mv").toString()).open();
            // A short delay bounds what a kill -9 can lose; SIGTERM commits everything in the hook below.
            store.setAutoCommitDelay(100);
            backend = new H2Backend(store);
        }
        backend.version(ReportedVersion.MONGO_4_4);

        MongoServer server = new MongoServer(backend);
        server.bind(host, port);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            if (store != null && !store.isClosed()) {
                store.commit();
                store.close();
            }
            System.out.println("mongo-wire server stopped");
        }, "shutdown"));

        System.out.println("mongo-wire server listening on " + host + ":" + port + " (wire version "
                + ReportedVersion.MONGO_4_4.getWireVersion() + ", data " + data + ")");
        System.out.flush();
        Thread.currentThread().join();
    }

    private static String require(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }
}
