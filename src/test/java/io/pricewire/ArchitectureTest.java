package io.pricewire;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the README's Architecture section, checked on the compiled classes so
 * that they hold from now on: packages point one way, only the composition root knows everyone,
 * and Vert.x is used through its API (its {@code internal} packages only where a class says why).
 */
@DisplayName("architecture")
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.pricewire");
  }

  @Test
  @DisplayName("no package imports one that imports it back, however far round")
  void noCycles() {
    slices().matching("io.pricewire.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  @DisplayName("only the composition root (Main, Gateway) sits in the root package, and nothing depends on it")
  void rootOnTop() {
    noClasses().that().resideOutsideOfPackage("io.pricewire").should().dependOnClassesThat()
        .resideInAPackage("io.pricewire").check(classes);
  }

  @Test
  @DisplayName("no class uses Vert.x implementation classes")
  void noVertxImpl() {
    noClasses().should().dependOnClassesThat().resideInAPackage("io.vertx..impl..").check(classes);
  }

  @Test
  @DisplayName("Vert.x internal packages only where the class says why (the feed's WebSocket channel, the load "
      + "generator's inflater), nested classes included")
  void vertxInternalOnlyWhereSaid() {
    noClasses().that().haveNameNotMatching("io\\.pricewire\\.feed\\.WebSocketChannel(\\$.*)?")
        .and().doNotHaveFullyQualifiedName("io.pricewire.bench.ClientInflate").should()
        .dependOnClassesThat().resideInAPackage("io.vertx..internal..").check(classes);
  }
}
