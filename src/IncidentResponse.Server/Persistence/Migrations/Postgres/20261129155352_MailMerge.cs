using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MailMerge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "mailings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    letter_id = table.Column<Guid>(type: "uuid", nullable: false),
                    letter_version = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    group = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    channel = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    is_exercise = table.Column<bool>(type: "boolean", nullable: false),
                    recipients = table.Column<int>(type: "integer", nullable: false),
                    chunk_size = table.Column<int>(type: "integer", nullable: false),
                    chunks = table.Column<int>(type: "integer", nullable: false),
                    started_by = table.Column<Guid>(type: "uuid", nullable: false),
                    started_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    progress_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<Instant>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mailings", x => x.id);
                    table.ForeignKey(
                        name: "fk_mailings_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_mailings_letters_letter_id",
                        column: x => x.letter_id,
                        principalTable: "letters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "mailing_recipients",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    mailing_id = table.Column<Guid>(type: "uuid", nullable: false),
                    person_id = table.Column<long>(type: "bigint", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    chunk = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    by_post = table.Column<bool>(type: "boolean", nullable: false),
                    by_email = table.Column<bool>(type: "boolean", nullable: false),
                    file_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    bytes = table.Column<long>(type: "bigint", nullable: true),
                    pages = table.Column<int>(type: "integer", nullable: true),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    generated_at = table.Column<Instant>(type: "timestamp with time zone", nullable: true),
                    sent_at = table.Column<Instant>(type: "timestamp with time zone", nullable: true),
                    returned_at = table.Column<Instant>(type: "timestamp with time zone", nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mailing_recipients", x => x.id);
                    table.ForeignKey(
                        name: "fk_mailing_recipients_mailings_mailing_id",
                        column: x => x.mailing_id,
                        principalTable: "mailings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_mailing_recipients_mailing_id_chunk_status",
                table: "mailing_recipients",
                columns: new[] { "mailing_id", "chunk", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_mailing_recipients_mailing_id_person_id",
                table: "mailing_recipients",
                columns: new[] { "mailing_id", "person_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_mailing_recipients_mailing_id_sequence",
                table: "mailing_recipients",
                columns: new[] { "mailing_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_mailings_code",
                table: "mailings",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_mailings_incident_id_started_at",
                table: "mailings",
                columns: new[] { "incident_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_mailings_letter_id_letter_version_group_channel",
                table: "mailings",
                columns: new[] { "letter_id", "letter_version", "group", "channel" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "mailing_recipients");

            migrationBuilder.DropTable(
                name: "mailings");
        }
    }
}
