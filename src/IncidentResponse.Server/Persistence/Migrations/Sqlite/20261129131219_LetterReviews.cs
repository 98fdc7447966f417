using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LetterReviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "letter_templates",
                columns: table => new
                {
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_letter_templates", x => x.kind);
                });

            migrationBuilder.CreateTable(
                name: "letters",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    group = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    request_json = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    is_exercise = table.Column<bool>(type: "INTEGER", nullable: false),
                    organisation_template = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    approved_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    approved_by_name = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    approved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    approved_version = table.Column<int>(type: "INTEGER", nullable: true),
                    released_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    released_at = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_letters", x => x.id);
                    table.ForeignKey(
                        name: "fk_letters_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "letter_review_steps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    letter_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    from = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    to = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    version_number = table.Column<int>(type: "INTEGER", nullable: false),
                    comment = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    by_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    by_name = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_letter_review_steps", x => x.id);
                    table.ForeignKey(
                        name: "fk_letter_review_steps_letters_letter_id",
                        column: x => x.letter_id,
                        principalTable: "letters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "letter_versions",
                columns: table => new
                {
                    letter_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<int>(type: "INTEGER", nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 200000, nullable: false),
                    font_pt = table.Column<int>(type: "INTEGER", nullable: false),
                    passed = table.Column<bool>(type: "INTEGER", nullable: false),
                    report_json = table.Column<string>(type: "TEXT", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    author_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    author_name = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_letter_versions", x => new { x.letter_id, x.number });
                    table.ForeignKey(
                        name: "fk_letter_versions_letters_letter_id",
                        column: x => x.letter_id,
                        principalTable: "letters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_letter_review_steps_letter_id_at",
                table: "letter_review_steps",
                columns: new[] { "letter_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_letters_incident_id_created_at",
                table: "letters",
                columns: new[] { "incident_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "letter_review_steps");

            migrationBuilder.DropTable(
                name: "letter_templates");

            migrationBuilder.DropTable(
                name: "letter_versions");

            migrationBuilder.DropTable(
                name: "letters");
        }
    }
}
