package io.graypipe.front;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.graypipe.front.archfixture.HttpCodecOutsideHttp;
import io.graypipe.front.cache.ArchFixtureCacheToPipeline;
import io.graypipe.front.archfixture.WorkerInFront;
import io.graypipe.front.http.ArchFixtureHttpToSharedTasks;
import io.graypipe.front.http.ArchFixtureHttpToStore;
import io.graypipe.front.image.ArchFixtureImageToPipeline;
import io.graypipe.front.pipeline.DurableTasks;
import io.graypipe.front.pipeline.LocalTasks;
import io.graypipe.front.pipeline.SharedTasks;
import io.graypipe.front.pipeline.ArchFixturePipelineToImage;
import io.graypipe.protocol.ArchFixtureProtocolToFront;
import io.graypipe.worker.ArchFixtureWorkerToFront;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module and package rules of docs/architecture.md. Each rule is checked against the production classes of
 * all modules (this test's class path holds common-protocol, scale-worker and front-server), and each is also
 * evaluated against a small fixture in the test sources that breaks it, so a rule that can no longer fail (a
 * renamed package, a pattern that matches nothing) fails here instead of passing silently.
 */
class ArchitectureTest {
    private static final String FRONT = "io.graypipe.front";

    /** The front's packages as slices; the root package holds only the start-up wiring. */
    private static final SliceAssignment FRONT_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            if (pkg.equals(FRONT)) {
                return SliceIdentifier.of("startup");
            }
            if (pkg.startsWith(FRONT + ".")) {
                return SliceIdentifier.of(pkg.substring(FRONT.length() + 1).split("\\.")[0]);
            }
            return SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "the packages of " + FRONT;
        }
    };

    static final ArchRule NO_PACKAGE_CYCLES = slices().assignedFrom(FRONT_PACKAGES).should().beFreeOfCycles();

    /** The arrows of docs/architecture.md: each layer may use only the layers below it. */
    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("startup").definedBy(FRONT)
            .layer("http").definedBy(FRONT + ".http..")
            .layer("observe").definedBy(FRONT + ".observe..")
            .layer("access").definedBy(FRONT + ".access..")
            .layer("pipeline").definedBy(FRONT + ".pipeline..")
            .layer("cache").definedBy(FRONT + ".cache..")
            .layer("store").definedBy(FRONT + ".store..")
            .layer("task").definedBy(FRONT + ".task..")
            .layer("image").definedBy(FRONT + ".image..")
            .layer("worker").definedBy(FRONT + ".worker..")
            .layer("base").definedBy(FRONT + ".error..", FRONT + ".config..", FRONT + ".json..", FRONT + ".fair..")
            .whereLayer("startup").mayNotBeAccessedByAnyLayer()
            .whereLayer("http").mayOnlyBeAccessedByLayers("startup")
            .whereLayer("observe").mayOnlyBeAccessedByLayers("startup", "http")
            .whereLayer("access").mayOnlyBeAccessedByLayers("startup", "http")
            .whereLayer("pipeline").mayOnlyBeAccessedByLayers("startup", "http")
            .whereLayer("cache").mayOnlyBeAccessedByLayers("startup", "http", "observe", "pipeline")
            .whereLayer("store").mayOnlyBeAccessedByLayers("startup", "pipeline")
            .whereLayer("task").mayOnlyBeAccessedByLayers("startup", "http", "observe", "pipeline", "access", "store")
            .whereLayer("image").mayOnlyBeAccessedByLayers("startup", "http", "pipeline", "task")
            .whereLayer("worker").mayOnlyBeAccessedByLayers("startup", "http", "observe", "pipeline");

    /** The endpoints ask the one interface about async tasks and batches, never a store behind it. */
    static final ArchRule HTTP_USES_ONLY_THE_TASK_INTERFACE = noClasses()
            .that().resideInAPackage(FRONT + ".http..")
            .should().dependOnClassesThat().belongToAnyOf(LocalTasks.class, DurableTasks.class, SharedTasks.class)
            .because("no endpoint may know which store holds the tasks: they call pipeline.AsyncTasks only");

    static final ArchRule ONLY_HTTP_TOUCHES_HTTP_CODEC = noClasses()
            .that().resideInAPackage(FRONT + "..")
            .and().resideOutsideOfPackages(FRONT, FRONT + ".http..")
            .should().dependOnClassesThat().resideInAPackage("io.netty.handler.codec.http..")
            .because("HTTP is mapped at the edge: domain code reports ErrorCodes, http turns them into statuses");

    static final ArchRule FRONT_NEVER_USES_WORKER = noClasses()
            .that().resideInAPackage(FRONT + "..")
            .should().dependOnClassesThat().resideInAPackage("io.graypipe.worker..")
            .because("the front reaches the worker only over the protocol");

    static final ArchRule WORKER_NEVER_USES_FRONT = noClasses()
            .that().resideInAPackage("io.graypipe.worker..")
            .should().dependOnClassesThat().resideInAPackage(FRONT + "..")
            .because("the worker serves any front over the protocol");

    static final ArchRule PROTOCOL_STANDS_ALONE = noClasses()
            .that().resideInAPackage("io.graypipe.protocol..")
            .should().dependOnClassesThat(resideInAPackage("io.graypipe..")
                    .and(not(resideInAPackage("io.graypipe.protocol.."))))
            .because("common-protocol is the bottom module both tiers share");

    private static JavaClasses production;

    @BeforeAll
    static void importProduction() {
        // Only the three modules' own class directories (or jars): scanning the whole class path is slow.
        Set<Location> modules = new HashSet<>();
        for (String anchor : new String[] {"io.graypipe.front.FrontMain", "io.graypipe.worker.WorkerMain",
                "io.graypipe.protocol.MessageCodec"}) {
            try {
                modules.add(Location.of(Class.forName(anchor).getProtectionDomain().getCodeSource().getLocation()));
            } catch (ClassNotFoundException e) {
                throw new AssertionError(anchor + " is not on the test class path", e);
            }
        }
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importLocations(modules);
        // The cross-module rules are only as good as the import: all three modules must be in it.
        for (String name : new String[] {"io.graypipe.front.FrontMain", "io.graypipe.worker.WorkerMain",
                "io.graypipe.protocol.MessageCodec"}) {
            assertTrue(production.contain(name), name + " was not imported; the rules would check nothing");
        }
    }

    @Test
    void frontPackagesHaveNoCycles() {
        NO_PACKAGE_CYCLES.check(production);
        assertTrue(NO_PACKAGE_CYCLES.evaluate(fixture(ArchFixtureImageToPipeline.class,
                ArchFixturePipelineToImage.class)).hasViolation(), "an image<->pipeline cycle must be reported");
    }

    @Test
    void frontPackagesFollowTheLayers() {
        LAYERS.check(production);
        assertTrue(LAYERS.evaluate(fixture(ArchFixtureImageToPipeline.class)).hasViolation(),
                "image using pipeline must be reported");
        assertTrue(LAYERS.evaluate(fixture(ArchFixtureCacheToPipeline.class)).hasViolation(),
                "cache using pipeline must be reported");
    }

    @Test
    void theStoreIsUsedOnlyByThePipelineAndStartUp() {
        assertTrue(LAYERS.evaluate(fixture(ArchFixtureHttpToStore.class)).hasViolation(),
                "http using the store must be reported");
    }

    @Test
    void httpUsesOnlyTheTaskInterface() {
        HTTP_USES_ONLY_THE_TASK_INTERFACE.check(production);
        assertTrue(HTTP_USES_ONLY_THE_TASK_INTERFACE.evaluate(fixture(ArchFixtureHttpToSharedTasks.class))
                .hasViolation(), "http using SharedTasks must be reported");
    }

    @Test
    void onlyTheHttpLayerTouchesTheHttpCodec() {
        ONLY_HTTP_TOUCHES_HTTP_CODEC.check(production);
        assertTrue(ONLY_HTTP_TOUCHES_HTTP_CODEC.evaluate(fixture(HttpCodecOutsideHttp.class)).hasViolation(),
                "a Netty HTTP type outside http must be reported");
    }

    @Test
    void frontNeverImportsTheWorker() {
        FRONT_NEVER_USES_WORKER.check(production);
        assertTrue(FRONT_NEVER_USES_WORKER.evaluate(fixture(WorkerInFront.class)).hasViolation(),
                "a worker class used by the front must be reported");
    }

    @Test
    void workerNeverImportsTheFront() {
        WORKER_NEVER_USES_FRONT.check(production);
        assertTrue(WORKER_NEVER_USES_FRONT.evaluate(fixture(ArchFixtureWorkerToFront.class)).hasViolation(),
                "a front class used by the worker must be reported");
    }

    @Test
    void protocolDependsOnNoOtherModule() {
        PROTOCOL_STANDS_ALONE.check(production);
        assertTrue(PROTOCOL_STANDS_ALONE.evaluate(fixture(ArchFixtureProtocolToFront.class)).hasViolation(),
                "a front class used by the protocol must be reported");
    }

    private static JavaClasses fixture(Class<?>... classes) {
        return new ClassFileImporter().importClasses(classes);
    }
}
