using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AffectedPeople : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "affected_people_retention_days",
                table: "organisations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 90);

            migrationBuilder.CreateTable(
                name: "affected_people",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    import_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    blind_index = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    key_id = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    @sealed = table.Column<byte[]>(name: "sealed", type: "BLOB", nullable: false),
                    residence = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    data_elements = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_affected_people", x => x.id);
                    table.ForeignKey(
                        name: "fk_affected_people_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "affected_people_imports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    file_name = table.Column<string>(type: "TEXT", maxLength: 260, nullable: true),
                    mapping = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    rows = table.Column<long>(type: "INTEGER", nullable: false),
                    imported = table.Column<long>(type: "INTEGER", nullable: false),
                    duplicates = table.Column<long>(type: "INTEGER", nullable: false),
                    rejected = table.Column<long>(type: "INTEGER", nullable: false),
                    failed_rows = table.Column<long>(type: "INTEGER", nullable: false),
                    failed_batches = table.Column<int>(type: "INTEGER", nullable: false),
                    failure = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    started_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_affected_people_imports", x => x.id);
                    table.ForeignKey(
                        name: "fk_affected_people_imports_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "affected_people_import_errors",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    import_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    row = table.Column<long>(type: "INTEGER", nullable: false),
                    column = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_affected_people_import_errors", x => x.id);
                    table.ForeignKey(
                        name: "fk_affected_people_import_errors_affected_people_imports_import_id",
                        column: x => x.import_id,
                        principalTable: "affected_people_imports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_affected_people_incident_id_blind_index",
                table: "affected_people",
                columns: new[] { "incident_id", "blind_index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_affected_people_import_errors_import_id_row",
                table: "affected_people_import_errors",
                columns: new[] { "import_id", "row" });

            migrationBuilder.CreateIndex(
                name: "ix_affected_people_imports_incident_id_started_at",
                table: "affected_people_imports",
                columns: new[] { "incident_id", "started_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "affected_people");

            migrationBuilder.DropTable(
                name: "affected_people_import_errors");

            migrationBuilder.DropTable(
                name: "affected_people_imports");

            migrationBuilder.DropColumn(
                name: "affected_people_retention_days",
                table: "organisations");
        }
    }
}
