package dev.airlock.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of docs/architecture.md ("Dependency rules"), enforced on every build. */
class ArchitectureTest {
    static final String[] FEATURES = {
        "dev.airlock.packages..",
        "dev.airlock.publish..",
        "dev.airlock.accounts..",
        "dev.airlock.tokens..",
        "dev.airlock.orgs..",
        "dev.airlock.audit..",
        "dev.airlock.staging..",
        "dev.airlock.twofactor..",
        "dev.airlock.trust..",
        "dev.airlock.policy..",
        "dev.airlock.notifications..",
        "dev.airlock.alerts..",
        "dev.airlock.imports..",
        "dev.airlock.review..",
        "dev.airlock.proxy..",
        "dev.airlock.advisories..",
        "dev.airlock.console..",
        "dev.airlock.doctor..",
        "dev.airlock.names..",
        "dev.airlock.metrics..",
        "dev.airlock.signing..",
        "dev.airlock.attestations.."
    };
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.airlock");
    }

    @Test
    void sharedDependsOnNothingButTheJdk() {
        classes()
                .that()
                .resideInAPackage("dev.airlock.shared..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("dev.airlock.shared..", "java..")
                .check(classes);
    }

    @Test
    void platformNeverDependsOnAFeature() {
        noClasses()
                .that()
                .resideInAPackage("dev.airlock.platform..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FEATURES)
                .check(classes);
    }

    @Test
    void onlyAdaptersTouchJavalinOrJetty() {
        noClasses()
                .that()
                .resideOutsideOfPackages(
                        "..http..",
                        "dev.airlock.console..",
                        "dev.airlock.platform.http..",
                        "dev.airlock.platform.npm..")
                .and()
                .doNotHaveFullyQualifiedName("dev.airlock.AirlockAssembly")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
                .check(classes);
    }

    @Test
    void onlyTheDbPlatformAndJdbiStoresTouchJdbiOrJdbc() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.airlock.platform.db..")
                .and()
                .haveSimpleNameNotStartingWith("Jdbi")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.jdbi..", "java.sql..", "com.zaxxer..", "org.flywaydb..")
                .check(classes);
    }

    @Test
    void featuresCallEachOtherOnlyThroughServicesAndRecords() {
        // Another feature's stores and Jdbi implementations are package-private; adapters never reach across features.
        for (String feature : FEATURES) {
            String root = feature.substring(0, feature.length() - 2);
            noClasses()
                    .that()
                    .resideOutsideOfPackage(feature)
                    .should()
                    .dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                            "stores or http adapters of " + root,
                            c -> c.getPackageName().startsWith(root)
                                    && !c.getName().equals("dev.airlock.AirlockAssembly")
                                    && (c.getSimpleName().endsWith("Store")
                                            || c.getPackageName().endsWith(".http"))))
                    .allowEmptyShould(true)
                    .check(classes.that(com.tngtech.archunit.base.DescribedPredicate.describe(
                            "not the assembly", c -> !c.getName().startsWith("dev.airlock.AirlockAssembly"))));
        }
    }

    /**
     * The features' services and records form an acyclic graph. An http adapter sits on top of its feature and may
     * ask features above it (every adapter asks the policy gate, which reads packages): its outgoing dependencies are
     * not part of the feature graph, and {@link #nothingButTheAssemblyDependsOnAnAdapter} keeps them on top.
     */
    @Test
    void featureGraphIsAcyclic() {
        slices().matching("dev.airlock.(*)..")
                .should()
                .beFreeOfCycles()
                .ignoreDependency(
                        com.tngtech.archunit.base.DescribedPredicate.describe(
                                "composition root", c -> c.getPackageName().equals("dev.airlock")),
                        com.tngtech.archunit.base.DescribedPredicate.alwaysTrue())
                .ignoreDependency(
                        com.tngtech.archunit.base.DescribedPredicate.describe(
                                "http adapters",
                                c -> c.getPackageName().endsWith(".http")
                                        && !c.getPackageName().startsWith("dev.airlock.platform")),
                        com.tngtech.archunit.base.DescribedPredicate.alwaysTrue())
                .check(classes);
    }

    @Test
    void nothingButTheAssemblyDependsOnAnAdapter() {
        noClasses()
                .that()
                .resideOutsideOfPackage("..http..")
                .and()
                .resideOutsideOfPackage("dev.airlock")
                .should()
                .dependOnClassesThat(
                        com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("dev.airlock.*.http..")
                                .and(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage(
                                        "dev.airlock.platform..")))
                .check(classes);
    }

    /**
     * The packages feature holds npm data and the rules about data; who may act and with which factor is the policy
     * gate's (docs: DESIGN rule 7). Its adapters ask the gate; its services never see policy or two-factor types.
     */
    @Test
    void packagesDecideNoAuthorisation() {
        noClasses()
                .that()
                .resideInAPackage("dev.airlock.packages..")
                .and()
                .resideOutsideOfPackage("dev.airlock.packages.http..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.airlock.policy..", "dev.airlock.twofactor..")
                .check(classes);
    }

    /** Adapters never call two-factor checks themselves: fresh factors are required by the gate. */
    @Test
    void onlyTheGateAsksForAFreshFactor() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.airlock.policy..", "dev.airlock.twofactor..")
                .should()
                .callMethod(
                        dev.airlock.twofactor.TwoFactorService.class, "requireForWrite", dev.airlock.shared.Actor.class)
                .orShould()
                .callMethod(
                        dev.airlock.twofactor.TwoFactorService.class,
                        "verify",
                        dev.airlock.shared.Actor.class,
                        String.class,
                        boolean.class)
                .check(classes);
    }

    @Test
    void adaptersNeverOpenTransactionsOrTouchBlobs() {
        noClasses()
                .that()
                .resideInAPackage("..http..")
                .and()
                .resideOutsideOfPackage("dev.airlock.platform.http..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.airlock.platform.db.Database")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.airlock.platform.db.Tx")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("dev.airlock.platform.blob..")
                .check(classes);
    }

    @Test
    void noStaticMutableState() {
        com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION.check(classes);
        noClasses()
                .should(
                        new com.tngtech.archunit.lang.ArchCondition<com.tngtech.archunit.core.domain.JavaClass>(
                                "have non-final static fields") {
                            @Override
                            public void check(
                                    com.tngtech.archunit.core.domain.JavaClass c,
                                    com.tngtech.archunit.lang.ConditionEvents events) {
                                c.getFields().stream()
                                        .filter(f -> f.getModifiers().contains(JavaModifier.STATIC)
                                                && !f.getModifiers().contains(JavaModifier.FINAL))
                                        .filter(f -> !f.getName().startsWith("$"))
                                        .forEach(
                                                f -> events.add(com.tngtech.archunit.lang.SimpleConditionEvent.violated(
                                                        f, f.getFullName() + " is static and not final")));
                            }
                        })
                .check(classes);
    }

    /**
     * The consumer's verifier trusts only HTTP answers, keys and pins: it reads no database and uses no registry code
     * (docs/verification.md), so what it checks is what a consumer outside the server can check.
     */
    @Test
    void theVerifierUsesNothingButTheJdkAndJackson() {
        classes()
                .that()
                .resideInAPackage("dev.airlock.verify..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("dev.airlock.verify..", "java..", "com.fasterxml.jackson..")
                .check(classes);
    }
}
