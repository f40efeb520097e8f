package dev.relay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The packages form a stack: the root only wires the node, and no packages depend on each other in a cycle. */
class PackageStructureTest {

  private static final JavaClasses RELAY =
      new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.relay");

  @Test
  void noPackagesDependOnEachOtherInACycle() {
    slices().matching("dev.relay.(*)..").should().beFreeOfCycles().check(RELAY);
  }

  @Test
  void nothingDependsOnTheRootPackageWhichOnlyWiresTheNode() {
    noClasses()
        .that().resideOutsideOfPackage("dev.relay")
        .should().dependOnClassesThat().resideInAPackage("dev.relay")
        .check(RELAY);
  }
}
